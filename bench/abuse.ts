import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { viaAxios, viaFetch, viaHttp, type Outcome } from '../test/clients.js'
import { floodTable, FLOODS, runFlood } from './floods.js'
import { EMULATOR, rssMiB, spawnServer, stop } from './lib.js'

/**
 * What hostile or careless clients cost the emulator, measured on a real process:
 *  1. early answers: how often fetch, node:http and axios see the status (413 for a body over
 *     12 MiB; 401 for an unauthenticated 11 MiB body in strict mode) instead of EPIPE/ECONNRESET;
 *  2. memory: RSS before, at its peak and after 40 concurrent unauthenticated 11 MiB uploads in
 *     strict mode;
 *  3. health: GET /_emulator/health latency while two clients loop 5 MiB bodies of nested `[`
 *     with a valid token;
 *  4. floods (bench/floods.ts): peak RSS, health p99 during and after, life and SIGTERM, for each
 *     flood of the resource findings, beside the same flood on /_emulator/health;
 *  5. the largest journal's memory (bench/journal-memory.ts), in a process of its own.
 * Prints a Markdown report. `--smoke` runs each part briefly (CI checks the harness only);
 * `--only floods` runs part 4 alone; `--emulator PATH` measures another build's dist/src/server.js
 * (the figures before a change).
 */
const { values: opts } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    emulator: { type: 'string', default: EMULATOR },
    flood: { type: 'string' }
  }
})
const smoke = opts.smoke
const script = opts.emulator
const TRIES = smoke ? 2 : 20
const UPLOADS = smoke ? 4 : 40
const HEALTH_PROBES = smoke ? 20 : 300

const PATH = '/v2/ff8080828997cb24018a1b2db3440b80/clusters/f7f45c04-4303-411c-9b71-d2cb730dd162/iam-sync-user'
const TOKEN = 'emulator-token-ff8080828997cb24018a1b2db3440b80'
const MiB = 1024 * 1024

const tally = (outcomes: Outcome[]) => Object.entries(outcomes.reduce<Record<string, number>>((all, o) => {
  all[o] = (all[o] ?? 0) + 1
  return all
}, {})).map(([outcome, n]) => `${outcome}×${n}`).join(', ')

async function earlyAnswers (): Promise<string[]> {
  const lines = ['## Early answers reach the client', '', `${TRIES} tries per client, one at a time.`, '', '| case | fetch | node:http | axios |', '|---|---|---|---|']
  for (const [name, mode, size, headers] of [
    ['body of 13 MiB (413)', 'permissive', 13 * MiB, { 'content-type': 'application/json', 'x-auth-token': 't' }],
    ['strict, no credentials, 11 MiB (401)', 'strict', 11 * MiB, { 'content-type': 'application/json' }]
  ] as const) {
    const server = await spawnServer(script, ['--auth', mode, '--log-level', 'silent'])
    const body = Buffer.alloc(size, 'a')
    const results: string[] = []
    for (const send of [viaFetch, viaHttp, viaAxios]) {
      const outcomes: Outcome[] = []
      for (let i = 0; i < TRIES; i++) outcomes.push(await send(server.url + PATH, body, headers))
      results.push(tally(outcomes))
    }
    lines.push(`| ${name} | ${results.join(' | ')} |`)
    await stop(server.child)
  }
  return lines
}

async function memory (): Promise<string[]> {
  const server = await spawnServer(script, ['--auth', 'strict', '--log-level', 'silent'])
  const pid = server.child.pid!
  const body = Buffer.alloc(11 * MiB, 'a')
  const before = rssMiB(pid)
  let peak = before
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(pid)) }, 10)
  const outcomes = await Promise.all(Array.from({ length: UPLOADS }, () => viaHttp(server.url + PATH, body, { 'content-type': 'application/json' }, false)))
  clearInterval(sampler)
  await new Promise((resolve) => setTimeout(resolve, 500))
  const after = rssMiB(pid)
  await stop(server.child)
  return ['## Unauthenticated uploads in strict mode', '', `${UPLOADS} concurrent uploads of 11 MiB without credentials: ${tally(outcomes)}.`, '',
    '| RSS before | peak | 0.5 s after | peak − before |', '|---|---|---|---|',
    `| ${before.toFixed(0)} MiB | ${peak.toFixed(0)} MiB | ${after.toFixed(0)} MiB | ${(peak - before).toFixed(0)} MiB |`]
}

async function health (): Promise<string[]> {
  const server = await spawnServer(script, ['--auth', 'strict', '--log-level', 'silent'])
  const nested = Buffer.alloc(5 * MiB, '[')
  let running = true
  let sent = 0
  const outcomes: Outcome[] = []
  const loop = async () => {
    while (running) {
      outcomes.push(await viaHttp(server.url + PATH, nested, { 'content-type': 'application/json', 'x-auth-token': TOKEN }))
      sent++
    }
  }
  const loads = [loop(), loop()]
  const times: number[] = []
  for (let i = 0; i < HEALTH_PROBES; i++) {
    const start = process.hrtime.bigint()
    const res = await fetch(`${server.url}/_emulator/health`)
    await res.arrayBuffer()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  running = false
  await Promise.all(loads)
  await stop(server.child)
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1)
  return ['## Health under nested-JSON load', '', `${HEALTH_PROBES} health checks, 5 ms apart, while two clients sent ${sent} bodies of 5 MiB of \`[\` with a valid token (${tally(outcomes)}).`, '',
    '| p50 | p99 | max |', '|---|---|---|', `| ${at(0.5)} ms | ${at(0.99)} ms | ${times.at(-1)!.toFixed(1)} ms |`]
}

async function floods (): Promise<string[]> {
  const rows = []
  // --flood F2: the floods whose name starts with it.
  for (const flood of FLOODS.filter((f) => opts.flood === undefined || f.name.startsWith(opts.flood))) rows.push(await runFlood(script, flood, smoke))
  return ['## Floods', '', 'Each on a fresh emulator with the default settings (or the mode named); health checked every 10 ms during the flood and 100 times, 5 ms apart, once it stops.', '', ...floodTable(rows)]
}

async function journalMemory (): Promise<string[]> {
  const script = new URL('journal-memory.js', import.meta.url).pathname
  const output = execFileSync(process.execPath, ['--expose-gc', script, ...(smoke ? ['--entries', '1000'] : [])], { encoding: 'utf8' })
  return ['## The largest journal', '', output.trim()]
}

const parts = opts.only === 'floods' ? [floods] : [earlyAnswers, memory, health, floods, journalMemory]
const report = [`# Abuse figures (Node ${process.version})`, '']
for (const part of parts) report.push(...await part(), '')
console.log(report.join('\n'))
