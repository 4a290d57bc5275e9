import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { BUILD_OPTIONS, buildApp, UNLOGGED, type BuildOptions } from './app.js'
import { checkOptionNames, settingsOf, type Settings } from './config.js'
import { urlOf } from './core/url.js'

/** The build options, and where to listen: `port` (default 0 here: any free port) and `host`. */
export interface StartOptions extends BuildOptions, Partial<Pick<Settings, 'port' | 'host'>> {}

export interface RunningEmulator {
  /** The base URL, e.g. http://127.0.0.1:41234: the SDK endpoint to use. */
  url: string
  /** With --tls: the same port's https:// URL, and the local CA's file (auto). */
  httpsUrl?: string
  caPath?: string
  app: FastifyInstance
  /** Finishes in-flight requests, writes the state file if any, and stops listening. */
  close: () => Promise<void>
}

export { urlOf }

/** Starts an emulator in this process, listening on a free port unless told otherwise. */
export async function startEmulator (options: StartOptions | null = {}): Promise<RunningEmulator> {
  options ??= {}
  checkOptionNames(options, [...BUILD_OPTIONS, 'port', 'host'])
  const { port: _port, host: _host, ...build } = options
  const app = await buildApp(build)
  // In-process, any free port: tests run side by side (the command's default is fixed).
  const { port, host } = settingsOf({ port: 0, ...options })
  // One start line: the caller prints its own (the command's says more than Fastify's).
  await app.listen({ port, host, listenTextResolver: () => UNLOGGED })
  const actual = (app.server.address() as AddressInfo).port
  const { tls } = app.emulator
  return {
    url: urlOf(host, actual),
    ...(tls === undefined ? {} : { httpsUrl: urlOf(host, actual, 'https'), ...(tls.caPath === undefined ? {} : { caPath: tls.caPath }) }),
    app,
    close: () => app.close()
  }
}
