import { ConfigError, loadConfig, processLogger, usage, type Config } from './config.js'
import { FixtureError } from './core/fixtures.js'
import { StateFileError } from './core/state-file.js'
import { DEFAULT_FIXTURES, VERSION, VERSION_LINE } from './package-info.js'
import { startEmulator, type RunningEmulator } from './start.js'

/** Where the command writes (the process's own streams, or a test's), and what runs once it listens. */
export interface CliIo {
  stdout: { write: (text: string) => unknown, isTTY?: boolean }
  stderr: { write: (text: string) => unknown }
  /** Runs before the banner, so that whoever waits for the banner finds it done (signal handlers, say). */
  onStart?: (emulator: RunningEmulator, config: Config) => void
}

/**
 * What close-with-grace runs on SIGTERM or SIGINT (a requested stop, logged at info) or on an
 * uncaught error (logged at error): the emulator closes, in-flight requests finishing first.
 */
export function shutdown (emulator: RunningEmulator) {
  return async ({ signal, err }: { signal?: string, err?: Error }): Promise<void> => {
    if (err === undefined) emulator.app.log.info({ signal }, 'shutting down')
    else emulator.app.log.error({ err }, 'shutting down after an unexpected error')
    await emulator.close()
  }
}

/** What `listen` says of a host it cannot listen on. */
const BAD_HOST: ReadonlySet<string> = new Set(['EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'])

/** A command that has ended (help, version, a failed start), or an emulator left running. */
export type CliResult = { exitCode: number } | { exitCode?: undefined, emulator: RunningEmulator, config: Config }

/**
 * The command, without the process: settings → help, version, or a started emulator and its
 * one-line banner. Signals and the exit belong to `server.ts`; everything else is here, so
 * that tests run it in-process.
 */
export async function runCli (argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<CliResult> {
  let emulator: RunningEmulator | undefined
  try {
    const config = loadConfig(env, argv)
    if (config.help || config.version) {
      io.stdout.write(config.help ? usage() : `${VERSION_LINE}\n`)
      return { exitCode: 0 }
    }
    // The settings are the in-process options by name; logLevel and shutdownGraceMs are the process's.
    const { help: _help, version: _version, logLevel, shutdownGraceMs: _grace, ...settings } = config
    emulator = await startEmulator({ ...settings, logger: processLogger(logLevel, io.stdout.isTTY === true) })
    io.onStart?.(emulator, config)
    const https = emulator.httpsUrl === undefined ? '' : ` and ${emulator.httpsUrl}${emulator.caPath === undefined ? '' : ` (CA: ${emulator.caPath})`}`
    io.stdout.write(`mrs-emulator ${VERSION} listening on ${emulator.url}${https}` +
      ` (auth: ${config.auth}, fixtures: ${config.fixtures ?? DEFAULT_FIXTURES}, state file: ${config.stateFile ?? 'none'}, admin token: ${config.adminToken === undefined ? 'off' : 'on'})\n`)
    return { emulator, config }
  } catch (err) {
    // Anything that stops the start is one clear line, not a stack trace: exit 2 for a bad
    // setting or fixture, 1 for the rest (a port in use, say).
    // An address that is not this machine's, or a name that does not resolve, is a bad --host.
    const badHost = BAD_HOST.has((err as NodeJS.ErrnoException).code ?? '')
    const message = err instanceof StateFileError
      ? `Invalid --state-file: ${err.message}`
      : badHost ? `Invalid --host: ${(err as Error).message}` : (err as Error).message
    io.stderr.write(`mrs-emulator: ${message}\n`)
    // A start that failed after listening (in onStart) must not leave the port held.
    await emulator?.close()
    return { exitCode: err instanceof ConfigError || err instanceof FixtureError || err instanceof StateFileError || badHost ? 2 : 1 }
  }
}
