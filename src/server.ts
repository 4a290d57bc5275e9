#!/usr/bin/env node
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { FixtureError } from './core/fixtures.js'
import { DEFAULT_FIXTURES, VERSION } from './package-info.js'

/** The process: settings → app → listen → close on a signal. */
async function main (): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2))
  const app = await buildApp({
    fixtures: config.fixtures,
    auth: config.auth,
    syncDurationMs: config.syncDurationMs,
    stateFile: config.stateFile,
    adminToken: config.adminToken,
    journalSize: config.journalSize,
    logger: { level: config.logLevel }
  })
  await app.listen({ port: config.port, host: config.host })
  // Installed once listening: before that, a failed start must keep its exit code.
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    app.log.warn({ signal, err }, 'shutting down')
    await app.close()
  })
  const address = app.server.address() as { port: number }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  process.stdout.write(`mrs-emulator ${VERSION} listening on http://${host}:${address.port}` +
    ` (auth: ${config.auth}, fixtures: ${config.fixtures ?? DEFAULT_FIXTURES}, state file: ${config.stateFile ?? 'none'})\n`)
}

main().catch((err: Error) => {
  // Anything that stops the start is one clear line, not a stack trace: exit 2 for a bad
  // setting or fixture, 1 for the rest (a port in use, say).
  process.stderr.write(`mrs-emulator: ${err.message}\n`)
  process.exitCode = err instanceof ConfigError || err instanceof FixtureError ? 2 : 1
})
