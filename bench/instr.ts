import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { BASELINE, EMULATOR, freePort, nodeLines, stop, waitFor, type NodeLine } from './lib.js'
import { benchFixture, chosen, fairBaseline, type Scenario } from './scenarios.js'

/**
 * Instructions per request, the figure machine noise cannot move: each server runs under
 * callgrind with instrumentation off, is warmed up, then instrumentation is switched on and
 * batches of a fixed size are counted, each zeroed before and dumped after.
 *
 * Counted per thread (`--separate-threads`): the main thread, which serves every request, is
 * the figure; V8's helper threads (its optimising compilers, concurrent marking and sweeping)
 * are shown beside it. All threads together, batches of the same run spread from 114k to 313k
 * on Node 24: one batch caught a major collection on the helpers (+200k), others a compile.
 * The main thread alone still fell from 142k to 113k over the batches after 5,000 warm-up
 * requests (V8 tiering the code up), and the emulator's went on falling after 20,000: 125k,
 * 120k, 116k, then 116k, 116k, 115k (Node 24; the first batches ran code still in V8's baseline
 * tier, Sparkplug: its builtins and the inline caches' misses of unoptimised code, ~9k a
 * request, where the later ones ran it optimised). A fixed warm-up is either too short for one
 * server or wasted on another, and a median over batches still tiering up is a median of the
 * warm-up. So batches are counted until the last `rounds` of them have settled (see
 * `settled`), `rounds + SETTLE_MAX` batches at most, and the figure is their median. The
 * batches counted before them are reported as the warm-up they were.
 *
 * Settled batches still differ by a few per cent, with no trend. In one run the collector's
 * share of the main thread went from 4.5k to 8.2k instructions a request between batches, as
 * V8 resized the young generation. (Each scavenge starts by visiting V8's roots, the startup
 * object cache among them.) The rest held at 107k–110k, and the batches moved between 112k
 * and 118k: hence SETTLED.
 */
const { values: opts } = parseArgs({
  options: {
    warmup: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '7' },
    only: { type: 'string', default: '1,3' },
    // Extra emulator flags, e.g. --args="--journal-size 0" to price one feature.
    args: { type: 'string', default: '' },
    // 'machine', 'image' (the Docker image's line) or 'both'.
    node: { type: 'string', default: 'both' },
    out: { type: 'string' }
  }
})
/** A count option's value: a whole number of at least 1. */
function count (name: 'warmup' | 'batch' | 'rounds'): number {
  const value = Number(opts[name])
  if (Number.isInteger(value) && value >= 1) return value
  process.stderr.write(`npm run bench:instr: --${name} must be a whole number of at least 1, not ${opts[name]}\n`)
  process.exit(2)
}
const WARMUP = count('warmup')
const BATCH = count('batch')
const ROUNDS = count('rounds')

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The spread (largest ÷ smallest − 1) within which the last batches may count as settled. */
const SETTLED = 0.06
/** The most batches counted beyond `rounds` while waiting for them to settle. */
const SETTLE_MAX = 10

/**
 * Instructions per request of the batches the figure is the median of: the main thread's, and
 * the helper threads'; `settling`, the batches counted before them; `settled`, whether they did.
 */
interface Count { median: number, batches: number[], helpers: number, settling: number, settled: boolean }

const spread = (values: number[]) => Math.max(...values) / Math.min(...values) - 1

/**
 * Whether batches have settled: within SETTLED of each other, and not still falling (code still
 * tiering up falls batch after batch, by less than SETTLED over a few of them): the last one is
 * not the lowest.
 */
const settled = (window: number[]) => spread(window) <= SETTLED && (window.length < 2 || window.at(-1)! > Math.min(...window))

/**
 * A dump's instructions per request, from its `totals:` line, the last one (whole once its line
 * break is written); undefined while it is not.
 */
function perRequest (text: string): number | undefined {
  const totals = /^totals: (\d+)\n/m.exec(text)
  return totals === null ? undefined : Number(totals[1]) / BATCH
}

/** A dump's instructions per request, once the dump is whole. */
async function dumped (file: string): Promise<number> {
  for (let waited = 0; waited < 100; waited++) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {}
    const count = perRequest(text)
    if (count !== undefined) return count
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no callgrind dump at ${file}`)
}

async function send (scenario: Scenario, url: string, amount: number): Promise<void> {
  const { request } = scenario
  const result = await autocannon({ url, connections: 4, amount, requests: [{ method: request.method as autocannon.Request['method'], path: request.path, headers: request.headers, body: request.body }] })
  if (result.errors > 0 || result.timeouts > 0) throw new Error(`${result.errors} errors, ${result.timeouts} timeouts`)
}

async function instructionsPerRequest (scenario: Scenario, script: string, args: string[], node: NodeLine, env: Record<string, string> = {}): Promise<Count> {
  const dir = mkdtempSync(join(tmpdir(), 'mrs-callgrind-'))
  const port = await freePort()
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${join(dir, 'cg.out')}`,
    node.execPath, script, ...args], { env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'ignore'] })
  const url = `http://127.0.0.1:${port}`
  const main: number[] = []
  try {
    await waitFor(`${url}${script === EMULATOR ? '/_emulator/health' : '/'}`, child)
    await send(scenario, url, WARMUP)
    const control = (...flags: string[]) => execFileSync('callgrind_control', [...flags, String(child.pid)], { stdio: 'ignore' })
    control('-i', 'on')
    // The explicit dumps are cg.out.<dump>-<thread> (thread 01: the main one); cg.out is written
    // at exit, with instrumentation off.
    for (let dump = 1; dump <= ROUNDS + SETTLE_MAX; dump++) {
      control('-z')
      await send(scenario, url, BATCH)
      control('-d')
      main.push(await dumped(join(dir, `cg.out.${dump}-01`)))
      if (main.length >= ROUNDS && settled(main.slice(-ROUNDS))) break
    }
    control('-i', 'off')
  } finally {
    await stop(child)
  }
  const helpers: number[] = main.map(() => 0)
  for (const file of readdirSync(dir)) {
    const [, dump, thread] = /\.(\d+)-(\d+)$/.exec(file) ?? []
    if (dump === undefined || thread === '01' || Number(dump) > main.length) continue
    helpers[Number(dump) - 1]! += perRequest(readFileSync(join(dir, file), 'utf8')) ?? 0
  }
  const batches = main.slice(-ROUNDS)
  return { median: median(batches), batches, helpers: median(helpers.slice(-ROUNDS)), settling: main.length - ROUNDS, settled: settled(batches) }
}

const thousands = (n: number) => `${Math.round(n / 1000)}k`
/** The median's batches' range, and the batches counted before they settled (`+2`); `unsettled` when they did not. */
const range = (count: Count) => `${thousands(Math.min(...count.batches))}–${thousands(Math.max(...count.batches))} (${count.settled ? `+${count.settling}` : 'unsettled'})`

async function main (): Promise<void> {
  const fixture = benchFixture()
  const dir = mkdtempSync(join(tmpdir(), 'mrs-callgrind-fair-'))
  const targets: Record<number, number> = { 1: 1.25, 3: 1.9 }
  const parts: string[] = []
  for (const node of nodeLines(opts.node)) {
    const lines = [
      `Node ${node.version} (${node.label}):`,
      '',
      '| # | scenario | baseline instr/request | emulator instr/request | ratio | target | the last batches\' range, + the batches before them or unsettled (baseline; emulator) | helper threads, median (baseline; emulator) |',
      '|---|---|---|---|---|---|---|---|'
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
    for (const scenario of chosen(opts.only)) {
      const id = scenario.id
      // The baseline answers the emulator's bytes (scenario 3: its error body).
      const base = await instructionsPerRequest(scenario, BASELINE, [], node, await fairBaseline(scenario, node, fixture, dir))
      const emu = scenario.server !== undefined
        ? await instructionsPerRequest(scenario, scenario.server, [], node, scenario.env)
        : await instructionsPerRequest(scenario, EMULATOR, ['--fixtures', fixture, ...opts.args.split(' ').filter(Boolean)], node)
      const ratio = emu.median / base.median
      const target = targets[id] === undefined ? '—' : `≤ ${targets[id]!.toFixed(2)} ${ratio <= targets[id]! ? '✅' : '❌'}`
      lines.push(`| ${id} | ${scenario.name} | ${Math.round(base.median).toLocaleString('en-US')} | ${Math.round(emu.median).toLocaleString('en-US')} | ${ratio.toFixed(3)} | ${target} | ${range(base)}; ${range(emu)} | ${thousands(base.helpers)}; ${thousands(emu.helpers)} |`)
      process.stdout.write(`${lines.at(-1)}\n`)
    }
    parts.push(lines.join('\n'))
  }
  const text = `Command: \`npm run bench:instr${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (callgrind, ${WARMUP} warm-up requests, then batches of ${BATCH} until the last ${ROUNDS} have settled, within ${SETTLED * 100}% of each other and not falling, ${ROUNDS + SETTLE_MAX} batches at most. The figure is the main thread's instructions, the median of the last ${ROUNDS} batches; 4 connections).\n\n${parts.join('\n\n')}\n`
  if (opts.out !== undefined) writeFileSync(opts.out, text)
  else process.stdout.write(`\n${text}`)
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exitCode = 1
})
