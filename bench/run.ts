import { mkdtempSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { BASELINE, EMULATOR, FASTIFY_ROUTE, median, nodeLines, PINNED, pinSelf, rssMiB, spawnServer, stop, waitFor, type NodeLine } from './lib.js'
import { benchFixture, chosen, CLUSTER, fairBaseline, PROJECT, SCENARIOS, signedHeaders, tlsBaseline, type Scenario } from './scenarios.js'
import { storeScaling } from './store-scaling.js'

const { values: opts } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    // 'machine', 'image' (the Docker image's line) or 'both'.
    node: { type: 'string', default: 'both' },
    // A file to write the report to (it is printed either way); bench/RESULTS.md is curated by hand.
    out: { type: 'string' }
  }
})
const smoke = opts.smoke
const duration = smoke ? 0.5 : Number(opts.duration)
const rounds = smoke ? 1 : Number(opts.rounds)
const connections = Number(opts.connections)
const scenarios = chosen(opts.only)

interface Sample { rps: number, p50: number, p99: number, rss: number, errors: number, statuses: Record<string, number> }

async function load (scenario: Scenario, url: string): Promise<autocannon.Result> {
  const { request } = scenario
  const host = new URL(url).host
  return autocannon({
    url,
    connections,
    duration,
    requests: [{
      method: request.method as autocannon.Request['method'],
      path: request.path,
      headers: request.headers,
      body: request.body,
      ...(scenario.sign === true
        ? { setupRequest: (req: autocannon.Request) => ({ ...req, headers: signedHeaders(request.method, request.path, request.body ?? '', host) }) }
        : {})
    }]
  })
}

async function measure (scenario: Scenario, which: 'baseline' | 'emulator', node: NodeLine, fixture: string, dir: string, fair: Record<string, string>): Promise<Sample> {
  const scheme = scenario.tls === true ? 'https' : 'http'
  const server = which === 'baseline'
    ? await spawnServer(BASELINE, [], fair, scenario.tls === true ? null : '/', node.execPath, scheme)
    : scenario.server !== undefined
      ? await spawnServer(scenario.server, [], scenario.env, '/', node.execPath)
      : await spawnServer(EMULATOR, ['--fixtures', fixture, ...scenario.args(dir)], { LOG_LEVEL: 'warn', ...scenario.env }, undefined, node.execPath, scheme)
  try {
    const result = await load(scenario, server.url)
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat?.count ?? 0]))
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, rss: rssMiB(server.child.pid!), errors: result.errors + result.timeouts, statuses }
  } finally {
    await stop(server.child)
  }
}

/** One request on a connection of its own (no keep-alive): its time in ms, the handshake included. */
function oneConnection (url: string, request: Scenario['request']): Promise<number> {
  const start = process.hrtime.bigint()
  const send = url.startsWith('https:') ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(`${url}${request.path}`, { method: request.method, headers: request.headers, agent: false, rejectUnauthorized: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(Number(process.hrtime.bigint() - start) / 1e6))
    })
    req.on('error', reject)
    req.end(request.body)
  })
}

/**
 * What a TLS handshake costs: the documented DELETE, each on a new connection, one after another,
 * over http and https, against the baseline (node:http, node:https) and the emulator (one port).
 */
async function handshakes (node: NodeLine, fixture: string, dir: string): Promise<string[]> {
  const scenario = SCENARIOS.find((s) => s.tls === true)!
  const count = smoke ? 20 : 300
  const fair = { ...await fairBaseline(scenario, node, fixture, dir), ...await tlsBaseline(dir) }
  const plain = await spawnServer(BASELINE, [], { ...fair, BASELINE_TLS_KEY_FILE: '', BASELINE_TLS_CERT_FILE: '' }, '/', node.execPath)
  const secure = await spawnServer(BASELINE, [], fair, null, node.execPath, 'https')
  const emulator = await spawnServer(EMULATOR, ['--fixtures', fixture, ...scenario.args(dir)], { LOG_LEVEL: 'warn' }, undefined, node.execPath)
  const times = async (url: string) => {
    const all: number[] = []
    for (let i = 0; i < count; i++) all.push(await oneConnection(url, scenario.request))
    return median(all)
  }
  try {
    const rows = [
      ['baseline (node:http, node:https)', await times(plain.url), await times(secure.url)],
      ['emulator (one port)', await times(emulator.url), await times(emulator.url.replace('http:', 'https:'))]
    ] as const
    return [
      `| a new connection per request (${count} one after another, median) | http ms | https ms | the handshake's cost |`,
      '|---|---|---|---|',
      ...rows.map(([name, http, https]) => `| ${name} | ${http.toFixed(2)} | ${https.toFixed(2)} | +${(https - http).toFixed(2)} ms |`),
      `| emulator ÷ baseline, https | | ${(rows[1][2] / rows[0][2]).toFixed(2)}× | |`,
      ''
    ]
  } finally {
    await Promise.all([stop(plain.child), stop(secure.child), stop(emulator.child)])
  }
}

/**
 * Spawn → first 202 to the documented DELETE, in ms: the emulator (as users start it, its build's
 * bundle with Node's compile cache, filled by the previous start) or bare Fastify with the same
 * route (fastify-route.ts). Both are asked the same request until it is answered 202.
 */
async function coldStart (which: 'emulator' | 'fastify', node: NodeLine): Promise<number> {
  const start = process.hrtime.bigint()
  const server = which === 'emulator'
    ? await spawnServer(EMULATOR, [], { LOG_LEVEL: 'warn' }, null, node.execPath)
    : await spawnServer(FASTIFY_ROUTE, [], {}, null, node.execPath)
  try {
    await waitFor(`${server.url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, server.child,
      { method: 'DELETE', headers: { 'x-auth-token': 'x' } }, (status) => status === 202)
    return Number(process.hrtime.bigint() - start) / 1e6
  } finally {
    await stop(server.child)
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function main (): Promise<void> {
  pinSelf()
  const fixture = benchFixture()
  const dir = mkdtempSync(join(tmpdir(), 'mrs-bench-state-'))
  const lines: string[] = []
  const say = (line = '') => { lines.push(line); process.stdout.write(`${line}\n`) }
  const nodes = nodeLines(opts.node)
  say('# Benchmark results')
  say()
  say(`Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (${rounds} interleaved round(s) of ${duration} s per server and scenario, ${connections} connections, autocannon).`)
  say(`Machine: ${cpus().length} cores (\`nproc\`), ${cpus()[0]?.model ?? 'unknown CPU'}; ${PINNED ? 'servers pinned to core 0, load generator to core 1 (taskset)' : 'no pinning'}; load generator on Node ${process.version}.`)
  say(`Run: ${new Date().toISOString()}. Figures are medians over the rounds; ratio = emulator / baseline in the same run. Each scenario's baseline answers the emulator's status and body bytes (and makes its durable write in scenario 6).`)
  for (const node of nodes) {
    say()
    say(`## Node ${node.version} (${node.label})`)
    say()
    say('| # | scenario | baseline req/s | emulator req/s | ratio | target | p50 / p99 ms (baseline) | p50 / p99 ms (emulator) | RSS MiB baseline / emulator | emulator statuses |')
    say('|---|---|---|---|---|---|---|---|---|---|')
    for (const scenario of scenarios) {
      const fair = { ...await fairBaseline(scenario, node, fixture, dir), ...(scenario.tls === true ? await tlsBaseline(dir) : {}) }
      const base: Sample[] = []
      const emu: Sample[] = []
      for (let round = 0; round < rounds; round++) {
        base.push(await measure(scenario, 'baseline', node, fixture, dir, fair))
        emu.push(await measure(scenario, 'emulator', node, fixture, dir, fair))
      }
      const m = (samples: Sample[], k: keyof Omit<Sample, 'statuses'>) => median(samples.map((s) => s[k]))
      const ratio = m(emu, 'rps') / m(base, 'rps')
      const target = scenario.target === undefined ? '—' : `≥ ${scenario.target.toFixed(2)} ${ratio >= scenario.target ? '✅' : '❌'}`
      const statuses = Object.entries(emu.at(-1)!.statuses).map(([code, count]) => `${code}×${count}`).join(' ')
      const each = emu.map((e, i) => (e.rps / base[i]!.rps).toFixed(2)).join(', ')
      say(`| ${scenario.id} | ${scenario.name} | ${fmt(m(base, 'rps'))} | ${fmt(m(emu, 'rps'))} | ${ratio.toFixed(2)} (${each}) | ${target} | ${m(base, 'p50')} / ${m(base, 'p99')} | ${m(emu, 'p50')} / ${m(emu, 'p99')} | ${fmt(m(base, 'rss'))} / ${fmt(m(emu, 'rss'))} (${(m(emu, 'rss') / m(base, 'rss')).toFixed(2)}×) | ${statuses} |`)
    }
    say()
    if (scenarios.some((scenario) => scenario.tls === true)) for (const line of await handshakes(node, fixture, dir)) say(line)
    const runs = smoke ? 1 : 7
    const emulatorStarts: number[] = []
    const fastifyStarts: number[] = []
    for (let i = 0; i < runs; i++) {
      fastifyStarts.push(await coldStart('fastify', node))
      emulatorStarts.push(await coldStart('emulator', node))
    }
    const cold = median(emulatorStarts) / median(fastifyStarts)
    say(`| cold start: spawn → first answer | median of ${runs} | |`)
    say('|---|---|---|')
    say(`| bare Fastify with the same route (first 202) | ${fmt(median(fastifyStarts))} ms | |`)
    say(`| emulator (first 202 to the documented DELETE) | ${fmt(median(emulatorStarts))} ms | ${cold.toFixed(2)}× (target ≤ 1.0 ${cold <= 1 ? '✅' : '❌'}) |`)
  }
  say()
  say(`## Store scaling: cost per operation, 1 cluster vs 10,000 clusters in the world (in process, Node ${process.version})`)
  say()
  for (const line of storeScaling(smoke)) say(line)
  say()
  if (opts.out !== undefined) {
    writeFileSync(opts.out, `${lines.join('\n')}\n`)
    process.stdout.write(`written to ${opts.out}\n`)
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exitCode = 1
})
