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
 * several fixed batches of requests are counted, each zeroed before and dumped after.
 *
 * Counted per thread (`--separate-threads`): the main thread, which serves every request, is
 * the figure; V8's helper threads (its optimising compilers, concurrent marking and sweeping)
 * are shown beside it. All threads together, batches of the same run spread from 114k to 313k
 * on Node 24: one batch caught a major collection on the helpers (+200k), others a compile.
 * The main thread alone still fell from 142k to 113k over the batches after 5,000 warm-up
 * requests (V8 tiering the code up); after 20,000 it holds within a few per cent.
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
const WARMUP = Number(opts.warmup)
const BATCH = Number(opts.batch)
const ROUNDS = Number(opts.rounds)

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Instructions per request of each counted batch: the main thread's, and the helper threads'. */
interface Count { median: number, batches: number[], helpers: number }

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
  try {
    await waitFor(`${url}${script === EMULATOR ? '/_emulator/health' : '/'}`, child)
    await send(scenario, url, WARMUP)
    const control = (...flags: string[]) => execFileSync('callgrind_control', [...flags, String(child.pid)], { stdio: 'ignore' })
    control('-i', 'on')
    for (let round = 0; round < ROUNDS; round++) {
      control('-z')
      await send(scenario, url, BATCH)
      control('-d')
    }
    control('-i', 'off')
  } finally {
    await stop(child)
  }
  // The explicit dumps are cg.out.<dump>-<thread> (thread 01: the main one); cg.out is written
  // at exit, with instrumentation off.
  const main: number[] = []
  const helpers: number[] = []
  for (const file of readdirSync(dir)) {
    const [, dump, thread] = /\.(\d+)-(\d+)$/.exec(file) ?? []
    if (dump === undefined) continue
    const count = Number(/^totals: (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? 0) / BATCH
    const into = thread === '01' ? main : helpers
    into[Number(dump) - 1] = (into[Number(dump) - 1] ?? 0) + count
  }
  if (main.filter((n) => n !== undefined).length !== ROUNDS) throw new Error(`expected ${ROUNDS} callgrind dumps of the main thread, found ${main.length}`)
  return { median: median(main), batches: main, helpers: median(helpers.map((n) => n ?? 0)) }
}

const thousands = (n: number) => `${Math.round(n / 1000)}k`
const range = (count: Count) => `${thousands(Math.min(...count.batches))}–${thousands(Math.max(...count.batches))}`

async function main (): Promise<void> {
  const fixture = benchFixture()
  const dir = mkdtempSync(join(tmpdir(), 'mrs-callgrind-fair-'))
  const targets: Record<number, number> = { 1: 1.25, 3: 1.9 }
  const parts: string[] = []
  for (const node of nodeLines(opts.node)) {
    const lines = [
      `Node ${node.version} (${node.label}):`,
      '',
      '| # | scenario | baseline instr/request | emulator instr/request | ratio | target | batches (baseline; emulator) | helper threads, median (baseline; emulator) |',
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
  const text = `Command: \`npm run bench:instr${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (callgrind, ${WARMUP} warm-up requests, then ${ROUNDS} counted batches of ${BATCH}; the main thread's instructions, the median batch; 4 connections).\n\n${parts.join('\n\n')}\n`
  if (opts.out !== undefined) writeFileSync(opts.out, text)
  else process.stdout.write(`\n${text}`)
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exitCode = 1
})
