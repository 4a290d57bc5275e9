import { setTimeout as sleep } from 'node:timers/promises'
import swagger from '@fastify/swagger'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { pino, type DestinationStream } from 'pino'
import { apiRoutes, controlRoutes, probeRoutes } from '../routes/index.js'
import { permissiveHeaders } from './core/auth.js'
import type { Fixture } from './core/fixture-schema.js'
import { FaultRules } from './core/faults.js'
import { loadFixtureFile, validateFixture } from './core/fixtures.js'
import { newRequestId } from './core/ids.js'
import { Journal } from './core/journal.js'
import { readStateFile, StateFile } from './core/state-file.js'
import { strictAuthenticator } from './core/strict-auth.js'
import { SyncStore } from './core/sync-store.js'
import type { AuthMode } from './config.js'
import { registerAdminToken } from './http/admin.js'
import { registerSignedAuth } from './http/auth.js'
import { registerBodyParsers } from './http/body.js'
import { handleClientError, handleError, handleNotFound } from './http/errors.js'
import { faultStep } from './http/faults.js'
import { registerGate, registerLifecycle } from './http/gate.js'
import { noteOperations, registerRequestLog } from './http/journal.js'
import { registerPersistence } from './http/persistence.js'
import { serializerCompiler, validatorCompiler } from './http/validation.js'
import { DEFAULT_FIXTURES, VERSION } from './package-info.js'

export interface BuildOptions {
  /** A fixture file's path, or the fixture itself. Default: the bundled fixtures/default.json. */
  fixtures?: string | Fixture
  /** Default `permissive`. */
  auth?: AuthMode
  /** How long a sync task runs, in ms. Default 0: done before the 202 is sent. */
  syncDurationMs?: number
  /** Load the world from this file (the fixtures when absent) and write every change to it. */
  stateFile?: string
  /** When set, the control plane (but health and ready) needs `Authorization: Bearer <token>`. */
  adminToken?: string
  /** How many requests the journal keeps. Default 1000. */
  journalSize?: number
  /** pino options, or false (the default) for no logs. Secret headers are always redacted. */
  logger?: FastifyServerOptions['logger']
  /** The clock, in ms; tests inject a fake one. */
  now?: () => number
  /** Request id source; tests inject a fixed one. */
  requestId?: () => string
  /** Random source in [0, 1) for fault probabilities; tests inject a fixed one. */
  random?: () => number
  /** How delay faults wait; tests inject one that records. */
  sleep?: (ms: number) => Promise<unknown>
  /** Server limits; the defaults are documented in the README. */
  limits?: Partial<ServerLimits>
}

/** What keeps a slow or greedy client from holding the server. */
export interface ServerLimits {
  /** Time to receive the request headers. */
  headersTimeoutMs: number
  /** Time to receive the whole request. */
  requestTimeoutMs: number
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number
  /** Connections open at once; more are closed at once rather than queued. */
  maxConnections: number
  /** How often the header and request timeouts are checked (Node's default is every 30 s). */
  timeoutCheckIntervalMs: number
}

export const DEFAULT_LIMITS: ServerLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 4096, timeoutCheckIntervalMs: 1000 }

/** What the routes share, decorated on the app as `emulator`. */
export interface Emulator {
  store: SyncStore
  faults: FaultRules
  journal: Journal
  /** The fixtures, as loaded: what reset goes back to. */
  fixture: Fixture
  stateFile?: StateFile
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

/**
 * The pino logger, or undefined for none. Fastify would make a child logger for every request
 * (or, with a custom child factory, check the factory's result on every request): with a
 * logger whose child is itself it does neither. Log lines carry `reqId` themselves.
 */
function createLogger (logger: BuildOptions['logger']): FastifyBaseLogger | undefined {
  if (logger === undefined || logger === false) return undefined
  const paths = REDACTED_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `headers["${name}"]`])
  // Fastify's logger options may carry a `stream`: pino takes it as its destination.
  const { stream, ...rest } = (logger === true ? {} : logger) as { stream?: DestinationStream }
  const log = pino({ ...rest, redact: paths }, stream as DestinationStream)
  log.child = (() => log) as unknown as typeof log.child
  return log
}

/** Loads the fixtures, and the state file when there is one; writes the file at once if it was absent. */
async function loadWorld (options: BuildOptions, store: (fixture: Fixture) => SyncStore) {
  const fixtures = options.fixtures ?? DEFAULT_FIXTURES
  const fixture = typeof fixtures === 'string' ? await loadFixtureFile(fixtures) : validateFixture(structuredClone(fixtures), 'fixtures option')
  if (options.stateFile === undefined) return { fixture, store: store(fixture) }
  const saved = await readStateFile(options.stateFile)
  const world = store(saved ?? fixture)
  const stateFile = new StateFile(options.stateFile, world)
  if (saved === undefined) await stateFile.save(true)
  return { fixture, store: world, stateFile }
}

/** Builds the emulator, ready for `inject` or `listen`; reads and writes only the files it is given. */
export async function buildApp (options: BuildOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? Date.now
  const { fixture, store, stateFile } = await loadWorld(options,
    (f) => new SyncStore(f, { now, syncDurationMs: options.syncDurationMs ?? 0 }))
  const faults = new FaultRules(options.random)
  faults.replace(fixture.faults ?? [])
  const journal = new Journal(options.journalSize ?? 1000)

  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const app = Fastify({
    loggerInstance: createLogger(options.logger),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // One line per request, written by the onResponse hook of registerRequestLog.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: options.requestId ?? newRequestId,
    bodyLimit: BODY_LIMIT,
    http: { maxHeaderSize: MAX_HEADER_SIZE, connectionsCheckingInterval: limits.timeoutCheckIntervalMs },
    // Ids of any length must reach the route and get their 400, not a 404.
    routerOptions: { maxParamLength: MAX_HEADER_SIZE },
    clientErrorHandler: handleClientError,
    // Our compilers from the start, so Fastify never loads Ajv or fast-json-stringify: TypeBox
    // validates, and JSON.stringify writes the small bodies that are not pre-serialised. This
    // saves ~50 ms of cold start (measured with --cpu-prof).
    schemaController: { compilersFactory: { buildValidator: (() => validatorCompiler) as never, buildSerializer: () => serializerCompiler } },
    // Requests that arrive while closing get EMULATOR.0503 from the onRequest hook below.
    return503OnClosing: false,
    // HEAD is not an operation of the API: it gets the gateway's 404 like any other method.
    exposeHeadRoutes: false
  })
  app.server.headersTimeout = limits.headersTimeoutMs
  app.server.maxConnections = limits.maxConnections
  app.decorate('emulator', { store, faults, journal, fixture, stateFile, now, startedAt: now(), ready: false })
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
  registerBodyParsers(app)
  await app.register(swagger, {
    openapi: {
      info: { title: 'mrs-emulator', version: VERSION, description: 'Huawei Cloud MRS API V2 IAM Synchronization, emulated; and the emulator\'s control plane.' },
      tags: [{ name: 'IAM Synchronization' }, { name: 'Emulator control plane' }]
    }
  })

  const mode = options.auth ?? 'permissive'
  registerGate(app, faultStep(faults, journal, now, options.sleep ?? sleep),
    mode === 'permissive' ? (request) => permissiveHeaders(request.headers) : undefined)
  registerRequestLog(app, journal, now)
  if (stateFile !== undefined) registerPersistence(app, store, stateFile)
  registerLifecycle(app)

  await app.register(async (api) => {
    // Signatures need the body: strict auth runs once it is read, before validation.
    if (mode === 'strict') registerSignedAuth(api, strictAuthenticator(() => store.credentials, now))
    noteOperations(api)
    for (const routes of apiRoutes) await api.register(routes)
  })
  for (const routes of probeRoutes) await app.register(routes)
  await app.register(async (control) => {
    if (options.adminToken !== undefined) registerAdminToken(control, options.adminToken)
    for (const routes of controlRoutes) await control.register(routes)
  })
  return app
}
