import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { EMULATOR, pinSelf, rssMiB, spawnServer, stop } from './lib.js'
import { benchFixture, SCENARIOS } from './scenarios.js'

/**
 * Bounded memory: 200,000 requests (by default) of a mix of the benchmark scenarios against
 * one emulator, its RSS read after each slice. With the journal, fault rules and tasks capped,
 * the RSS must level off instead of growing with the request count.
 */
const { values: opts } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, slices: { type: 'string', default: '10' } } })
const TOTAL = Number(opts.requests)
const SLICES = Number(opts.slices)

async function main (): Promise<void> {
  pinSelf()
  const server = await spawnServer(EMULATOR, ['--fixtures', benchFixture()], { LOG_LEVEL: 'warn' })
  const mix = SCENARIOS.filter((s) => [1, 2, 3, 4].includes(s.id)).map((s) => ({
    method: s.request.method as autocannon.Request['method'], path: s.request.path, headers: s.request.headers, body: s.request.body
  }))
  const rows = ['| requests sent | RSS MiB |', '|---|---|', `| 0 | ${rssMiB(server.child.pid!).toFixed(0)} |`]
  try {
    for (let slice = 1; slice <= SLICES; slice++) {
      await autocannon({ url: server.url, connections: 50, amount: TOTAL / SLICES, requests: mix })
      rows.push(`| ${(slice * TOTAL / SLICES).toLocaleString('en-US')} | ${rssMiB(server.child.pid!).toFixed(0)} |`)
      process.stdout.write(`${rows.at(-1)}\n`)
    }
  } finally {
    await stop(server.child)
  }
  process.stdout.write(`\nCommand: \`npm run soak\` (${TOTAL.toLocaleString('en-US')} requests, scenarios 1–4 in turn, 50 connections).\n\n${rows.join('\n')}\n`)
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exitCode = 1
})
