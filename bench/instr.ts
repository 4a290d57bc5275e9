import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { BASELINE, EMULATOR, freePort, stop, waitFor } from './lib.js'
import { benchFixture, SCENARIOS, type Scenario } from './scenarios.js'

/**
 * Instructions per request, the figure machine noise cannot move: each server runs under
 * callgrind with instrumentation off, is warmed up, then instrumentation is switched on for a
 * fixed batch of requests, dumped, and the total divided by the batch.
 */
const { values: opts } = parseArgs({
  options: {
    warmup: { type: 'string', default: '3000' },
    batch: { type: 'string', default: '2000' },
    only: { type: 'string', default: '1,3' },
    // Extra emulator flags, e.g. --args="--journal-size 0" to price one feature.
    args: { type: 'string', default: '' },
    out: { type: 'string' }
  }
})
const WARMUP = Number(opts.warmup)
const BATCH = Number(opts.batch)

async function send (scenario: Scenario, url: string, amount: number): Promise<void> {
  const { request } = scenario
  const result = await autocannon({ url, connections: 4, amount, requests: [{ method: request.method as autocannon.Request['method'], path: request.path, headers: request.headers, body: request.body }] })
  if (result.errors > 0 || result.timeouts > 0) throw new Error(`${result.errors} errors, ${result.timeouts} timeouts`)
}

async function instructionsPerRequest (scenario: Scenario, script: string, args: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mrs-callgrind-'))
  const port = await freePort()
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(dir, 'cg.out')}`,
    process.execPath, script, ...args], { env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'ignore'] })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(`${url}${script === EMULATOR ? '/_emulator/health' : '/'}`, child)
    await send(scenario, url, WARMUP)
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
    await send(scenario, url, BATCH)
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' })
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' })
  } finally {
    await stop(child)
  }
  // The explicit dump is cg.out.1; cg.out is written at exit, with instrumentation off.
  const dump = readdirSync(dir).find((file) => /\.\d+$/.test(file))!
  const total = Number(/^totals: (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'))![1])
  return total / BATCH
}

async function main (): Promise<void> {
  const fixture = benchFixture()
  const lines = [
    '| # | scenario | baseline instr/request | emulator instr/request | ratio | target |',
    '|---|---|---|---|---|---|'
  ]
  const targets: Record<number, number> = { 1: 1.35, 3: 1.9 }
  for (const id of opts.only.split(',').map(Number)) {
    const scenario = SCENARIOS.find((s) => s.id === id)!
    const base = await instructionsPerRequest(scenario, BASELINE, [])
    const emu = await instructionsPerRequest(scenario, EMULATOR, ['--fixtures', fixture, ...opts.args.split(' ').filter(Boolean)])
    const ratio = emu / base
    const target = targets[id] === undefined ? '—' : `≤ ${targets[id]!.toFixed(2)} ${ratio <= targets[id]! ? '✅' : '❌'}`
    lines.push(`| ${id} | ${scenario.name} | ${Math.round(base).toLocaleString('en-US')} | ${Math.round(emu).toLocaleString('en-US')} | ${ratio.toFixed(2)} | ${target} |`)
    process.stdout.write(`${lines.at(-1)}\n`)
  }
  const text = `Command: \`npm run bench:instr\` (callgrind, ${WARMUP} warm-up requests, then ${BATCH} counted, 4 connections; Node ${process.version}).\n\n${lines.join('\n')}\n`
  if (opts.out !== undefined) writeFileSync(opts.out, text)
  else process.stdout.write(`\n${text}`)
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exitCode = 1
})

