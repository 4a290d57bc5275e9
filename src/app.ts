import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { apiRoutes, emulatorRoutes } from '../routes/index.js'
import { permissive, type Authenticator } from './core/auth.js'
import { strictAuthenticator } from './core/strict-auth.js'
import type { Fixture } from './core/fixture-schema.js'
import { loadFixtureFile, validateFixture } from './core/fixtures.js'
import { newRequestId } from './core/ids.js'
import { SyncStore } from './core/sync-store.js'
import { worldFromFixture } from './core/world.js'
import type { AuthMode } from './config.js'
import { registerAuth } from './http/auth.js'
import { registerBodyParsers } from './http/body.js'
import { handleClientError, handleError, handleNotFound } from './http/errors.js'
import { validatorCompiler } from './http/validation.js'
import { DEFAULT_FIXTURES } from './package-info.js'

export interface BuildOptions {
  /** A fixture file's path, or the fixture itself. Default: the bundled fixtures/default.json. */
  fixtures?: string | Fixture
  /** Default `permissive`. */
  auth?: AuthMode
  /** How long a sync task runs, in ms. Default 0: done before the 202 is sent. */
  syncDurationMs?: number
  /** pino options, or false (the default) for no logs. Secret headers are always redacted. */
  logger?: FastifyServerOptions['logger']
  /** The clock, in ms; tests inject a fake one. */
  now?: () => number
  /** Request id source; tests inject a fixed one. */
  requestId?: () => string
}

/** What the routes share, decorated on the app as `emulator`. */
export interface Emulator {
  store: SyncStore
  now: () => number
  startedAt: number
  /** False until the world is loaded, and again once closing starts. */
  ready: boolean
}

declare module 'fastify' {
  interface FastifyInstance { emulator: Emulator }
  interface FastifyContextConfig { operation?: string }
}

/** The documented body limit of the gateway: 12 MiB. */
export const BODY_LIMIT = 12 * 1024 * 1024
/** Request headers, in bytes; larger ones get 431. */
export const MAX_HEADER_SIZE = 16 * 1024

/** Never logged: pino replaces them wherever a request's headers are logged. */
export const REDACTED_HEADERS = ['authorization', 'x-auth-token', 'x-security-token']

function authenticator (mode: AuthMode, fixture: Fixture, now: () => number): Authenticator | undefined {
  if (mode === 'off') return undefined
  return mode === 'strict' ? strictAuthenticator(fixture.credentials ?? [], now) : permissive
}

function loggerOptions (logger: BuildOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false
  const paths = REDACTED_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `headers["${name}"]`])
  return { ...(logger === true ? {} : logger), redact: paths }
}

/** Builds the emulator, ready for `inject` or `listen`; reads nothing but the fixture file it is given. */
export async function buildApp (options: BuildOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? Date.now
  const fixtures = options.fixtures ?? DEFAULT_FIXTURES
  const fixture = typeof fixtures === 'string'
    ? await loadFixtureFile(fixtures)
    : validateFixture(fixtures, 'fixtures option')

  const app = Fastify({
    logger: loggerOptions(options.logger),
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: options.requestId ?? newRequestId,
    bodyLimit: BODY_LIMIT,
    http: { maxHeaderSize: MAX_HEADER_SIZE },
    // Ids of any length must reach the route and get their 400, not a 404.
    routerOptions: { maxParamLength: MAX_HEADER_SIZE },
    clientErrorHandler: handleClientError
  })
  app.decorate('emulator', {
    store: new SyncStore(worldFromFixture(fixture), { now, syncDurationMs: options.syncDurationMs ?? 0 }),
    now,
    startedAt: now(),
    ready: false
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
  registerBodyParsers(app)

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ operation: request.routeOptions.config.operation, method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request')
  })
  app.addHook('onReady', async () => { app.emulator.ready = true })
  app.addHook('preClose', async () => { app.emulator.ready = false })

  await app.register(async (api) => {
    const authenticate = authenticator(options.auth ?? 'permissive', fixture, now)
    if (authenticate !== undefined) registerAuth(api, authenticate)
    for (const routes of apiRoutes) await api.register(routes)
  })
  for (const routes of emulatorRoutes) await app.register(routes)
  return app
}
