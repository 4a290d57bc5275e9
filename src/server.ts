#!/usr/bin/env node
import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig, processLogger, usage } from './config.js'
import { FixtureError } from './core/fixtures.js'
import { DEFAULT_FIXTURES, VERSION } from './package-info.js'
import { startEmulator } from './start.js'

/** How long in-flight requests may take to finish after SIGTERM or SIGINT. */
const GRACE_MS = 10_000

/** The process: settings → app → listen → close on a signal. */
async function main (): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2))
  if (config.help || config.version) {
    process.stdout.write(config.help ? usage() : `${VERSION}\n`)
    return
  }
  const { url, app } = await startEmulator({
    port: config.port,
    host: config.host,
    fixtures: config.fixtures,
    auth: config.auth,
    syncDurationMs: config.syncDurationMs,
    stateFile: config.stateFile,
    adminToken: config.adminToken,
    journalSize: config.journalSize,
    logger: processLogger(config.logLevel, process.stdout.isTTY === true)
  })
  // Installed once listening: before that, a failed start must keep its exit code.
  closeWithGrace({ delay: GRACE_MS }, async ({ signal, err }) => {
    app.log.warn({ signal, err }, 'shutting down')
    await app.close()
  })
  process.stdout.write(`mrs-emulator ${VERSION} listening on ${url}` +
    ` (auth: ${config.auth}, fixtures: ${config.fixtures ?? DEFAULT_FIXTURES}, state file: ${config.stateFile ?? 'none'})\n`)
}

main().catch((err: Error) => {
  // Anything that stops the start is one clear line, not a stack trace: exit 2 for a bad
  // setting or fixture, 1 for the rest (a port in use, say).
  process.stderr.write(`mrs-emulator: ${err.message}\n`)
  process.exitCode = err instanceof ConfigError || err instanceof FixtureError ? 2 : 1
})
