import { execFileSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { Journal, RECORD_OVERHEAD, type JournalRecord } from '../src/core/journal.js'
import { LIMITS } from '../src/core/limits.js'

/**
 * What the largest allowed journal (LIMITS.journalEntries entries, LIMITS.journalBytes of text)
 * holds in memory, filled three ways: typical requests (the count is the bound), requests at
 * every limit (the bytes are), and requests of 900 one-byte headers (what cost 190 KB an entry
 * as objects). Run with --expose-gc: `node --expose-gc dist/bench/journal-memory.js`.
 * Prints a Markdown table: memory the journal holds (heap and buffers), against what it counts.
 */
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')

const KiB = 1024
// --entries N: a smaller journal (the harness's smoke); --case: one case, in this process.
const { values: opts } = parseArgs({ options: { entries: { type: 'string', default: String(LIMITS.journalEntries.value) }, case: { type: 'string' } } })
const ENTRIES = Number(opts.entries)
const id = (i: number) => i.toString(16).padStart(32, '0')

function typical (i: number): JournalRecord {
  return {
    request_id: id(i),
    time: 1_800_000_000_000 + i,
    durationMs: 0.5,
    method: 'DELETE',
    scheme: 'http',
    path: `/v2/ff8080828997cb24018a1b2db3440b80/clusters/f7f45c04-4303-411c-9b71-d2cb730dd162/iam-sync-user?i=${i}`,
    operation: 'CancelSyncIamUser',
    project_id: 'ff8080828997cb24018a1b2db3440b80',
    cluster_id: 'f7f45c04-4303-411c-9b71-d2cb730dd162',
    status: 202,
    error_code: null,
    fault_id: null,
    headers: { host: 'localhost:9336', 'content-type': 'application/json', 'x-auth-token': 'emulator-token', 'content-length': '38', 'user-agent': 'huaweicloud-usdk-python/3.0' },
    body: Buffer.from(`{"user_names":["user${i}"],"group_names":[]}`),
    responseHeaders: { 'x-request-id': id(i), 'content-type': 'application/json; charset=utf-8', 'content-length': '25' },
    responseBody: { state: 'synchronizing' }
  }
}

/** Every part at its limit: 16 KiB of headers whose quotes JSON doubles, a long path, cut bodies, a fault's headers. */
function atLimits (i: number): JournalRecord {
  const quoted = '"'.repeat(KiB - 20)
  const headers: Record<string, string> = {}
  for (let h = 0; h < 12; h++) headers[`x-pad-${h}-${i}`] = quoted
  return {
    ...typical(i),
    path: `/v2/ff8080828997cb24018a1b2db3440b80/clusters/${'c'.repeat(3 * KiB)}/iam-sync-user?${i}`,
    headers,
    body: Buffer.alloc(LIMITS.body.value > 64 * KiB ? 64 * KiB : LIMITS.body.value, 1),
    responseHeaders: Object.fromEntries(Array.from({ length: LIMITS.faultHeaders.value }, (_, h) => [`x-fault-${h}`, 'v'.repeat(LIMITS.faultHeaderValue.value)])),
    responseBody: Buffer.alloc(64 * KiB, 0x61 + (i % 20))
  }
}

function tinyHeaders (i: number): JournalRecord {
  return { ...typical(i), headers: Object.fromEntries(Array.from({ length: 900 }, (_, h) => [`x-h${h}`, 'a'])) }
}

const CASES: Record<string, (i: number) => JournalRecord> = {
  'typical DELETE': typical,
  'every part at its limit': atLimits,
  '900 one-byte headers': tinyHeaders
}

/** Heap and buffers in use once the garbage is gone (buffers are freed a turn after their objects). */
async function held (): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!()
    await sleep(50)
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

/** One case, in this process: its table row. */
async function measure (name: string): Promise<string> {
  const make = CASES[name]!
  const before = await held()
  const journal = new Journal(ENTRIES)
  // Twice the entries: the journal is full, and has dropped as many as it keeps.
  for (let i = 0; i < 2 * ENTRIES; i++) journal.record(make(i))
  const used = await held() - before
  return `| ${name} | ${journal.length.toLocaleString('en-US')} | ${(journal.bytes / 2 ** 20).toFixed(1)} MiB | ${(used / 2 ** 20).toFixed(1)} MiB | ${(used / journal.bytes).toFixed(2)} | ${(used / journal.length).toFixed(0)} B |`
}

if (opts.case !== undefined) {
  console.log(await measure(opts.case))
} else {
  // Each case in a fresh process: what one case leaves behind does not count in the next.
  const rows = Object.keys(CASES).map((name) => execFileSync(process.execPath, ['--expose-gc', process.argv[1]!, '--entries', String(ENTRIES), '--case', name], { encoding: 'utf8' }).trim())
  console.log([
    `Journal of ${ENTRIES.toLocaleString('en-US')} entries and ${LIMITS.journalBytes.value / 2 ** 20} MiB, filled twice over (Node ${process.version}; RECORD_OVERHEAD ${RECORD_OVERHEAD} B):`,
    '',
    '| entries | kept | counted | held (heap and buffers) | held ÷ counted | per entry |',
    '|---|---|---|---|---|---|',
    ...rows
  ].join('\n'))
}
