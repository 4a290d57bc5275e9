import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import { apiRoutes, controlRoutes, probeRoutes } from '../routes/index.js'
import type { Fixture } from './core/fixture-schema.js'
import { Clock } from './core/clock.js'
import { FaultRules, type Sleep } from './core/faults.js'
import { loadFixtureFile, validateFixture } from './core/fixtures.js'
import { newRequestId } from './core/ids.js'
import { Iam } from './core/iam.js'
import type { IamFace } from './core/iam-schema.js'
import { Journal } from './core/journal.js'
import { LIMITS } from './core/limits.js'
import { SECRET_HEADERS } from './core/secrets.js'
import { readStateFile, StateFile, type StateFs, type StateSource } from './core/state-file.js'
import { WorldStore } from './core/world-store.js'
import { checkOptionNames, settingsOf, type Settings } from './config.js'
import { apiPlane } from './http/api-plane.js'
import { answerNodesOwnCases, gatewayBeforeRouting, handleClientError } from './http/before-routing.js'
import { BODY_LIMIT } from './http/body.js'
import { Connections } from './http/connections.js'
import type { Schemes } from './http/schemes.js'
import { GLOBAL_IAM, regionNames, TlsMaterial } from './http/tls.js'
import { oneAtATime, parseNothingAfterClose } from './http/pipelining.js'
import { Waiting } from './http/waiting.js'
import { writeAtTurnEnd } from './http/turn-writes.js'
import { BodyBudget } from './http/body-budget.js'
import { AnswerBudget } from './http/large-answers.js'
import { controlPlane } from './http/control-plane.js'
import { registerOpenApi } from './http/openapi.js'
import { decorateRequests } from './http/request-fields.js'
import { serializerCompiler } from './http/validation.js'
import { DEFAULT_FIXTURES } from './package-info.js'

export { BODY_LIMIT }

/**
 * The settings an app is built with (see `SettingsSchema` in config.ts for each one's meaning and
 * default): checked like the flags, with the same messages.
 */
export type AppSettings = Partial<Pick<Settings, 'auth' | 'syncDurationMs' | 'stateFile' | 'adminToken' | 'journalSize' | 'allowedOrigins' | 'allowedHosts' |
'tls' | 'tlsCert' | 'tlsKey' | 'tlsDir' | 'tlsNames'>>

export interface BuildOptions extends AppSettings {
  /** A fixture file's path, or the fixture itself. Default: the bundled fixtures/default.json. */
  fixtures?: string | Fixture
  /** pino options, or false (the default) for no logs. Secret headers are always redacted. */
  logger?: FastifyServerOptions['logger']
  /** The clock, in ms; tests inject a fake one. */
  now?: () => number
  /** Request id source; tests inject a fixed one. */
  requestId?: () => string
  /** Random source in [0, 1) for fault probabilities; tests inject a fixed one. */
  random?: () => number
  /** How delay faults wait (ending early when the signal aborts); tests inject one that records. */
  sleep?: Sleep
  /** The file system the state file is written with; tests inject one whose writes fail. */
  fs?: StateFs
  /** Server limits; the defaults are documented in SECURITY.md and docs/limits.md. */
  limits?: Partial<ServerLimits>
}

/** Every option `buildApp` takes: anything else is refused (a typo is never ignored). */
export const BUILD_OPTIONS = ['fixtures', 'logger', 'now', 'requestId', 'random', 'sleep', 'fs', 'limits',
  'auth', 'syncDurationMs', 'stateFile', 'adminToken', 'journalSize', 'allowedOrigins', 'allowedHosts',
  'tls', 'tlsCert', 'tlsKey', 'tlsDir', 'tlsNames'] as const satisfies ReadonlyArray<keyof BuildOptions>
// Each of BuildOptions is listed: a new option that is not fails to compile here.
const listed: Record<Exclude<keyof BuildOptions, typeof BUILD_OPTIONS[number]>, never> = {}
void listed

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
  /** After an answer sent while the body still arrives, how long the rest is read before closing. */
  lingerMs: number
  /** … and how many more bytes at most. */
  lingerBytes: number
  /** A connection whose client takes nothing of our answers for this long is closed. */
  stallMs: number
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: LIMITS.headersTimeout.value,
  requestTimeoutMs: LIMITS.requestTimeout.value,
  keepAliveTimeoutMs: LIMITS.keepAlive.value,
  maxConnections: LIMITS.connections.value,
  timeoutCheckIntervalMs: LIMITS.timeoutCheckInterval.value,
  lingerMs: LIMITS.lingerTime.value,
  lingerBytes: LIMITS.lingerBytes.value,
  stallMs: LIMITS.stall.value
}

/** What the routes share, decorated on the app as `emulator`. */
export interface Emulator {
  store: WorldStore
  /** IAM's side of the world: projects by name and region, tokens, temporary keys. */
  iam: Iam
  faults: FaultRules
  journal: Journal
  /** The fixtures, as loaded: what reset goes back to. */
  fixture: Fixture
  stateFile?: StateFile
  /** The emulator's clock, which the control plane can move forward. */
  clock: Clock
  /** `clock.now`: the emulator's time, in ms. */
  now: () => number
  startedAt: number
  /** False until the world is loaded, and again once closing starts. */
  ready: boolean
  /** The places requests wait in (journal long polls, delay faults). */
  waiting: Waiting
  /** The bytes of request bodies being read at once. */
  bodies: BodyBudget
  /** The bytes of large answers being sent at once. */
  answers: AnswerBudget
  /** HTTPS on the same port (--tls), with the local CA of `auto`; undefined with TLS off. */
  tls?: TlsMaterial
}

declare module 'fastify' {
  interface FastifyInstance { emulator: Emulator }
  interface FastifyContextConfig {
    operation?: string
    /** IAM's routes: how their own errors are written (Keystone's `/v3` shape, or `/v3.0`'s `IAM.xxxx`). */
    iam?: IamFace
    /** A route that authenticates the caller itself (IAM's token routes): the gateway's step 4 passes it. */
    ownAuth?: boolean
  }
}

/**
 * A log message that is never written: startEmulator gives it to Fastify as its "Server listening
 * at …" text, so that the process prints one start line (its own, with the settings).
 */
export const UNLOGGED = '\u0000unlogged'

type LogMethodHook = NonNullable<NonNullable<LoggerOptions['hooks']>['logMethod']>

/** Request headers, in bytes; larger ones get 431. */
export const MAX_HEADER_SIZE = LIMITS.headers.value

/**
 * The pino logger, or undefined for none. Fastify would make a child logger for every request
 * (or, with a custom child factory, check the factory's result on every request): with a
 * logger whose child is itself it does neither. Log lines carry `reqId` themselves.
 */
function createLogger (logger: BuildOptions['logger']): FastifyBaseLogger | undefined {
  if (logger === undefined || logger === false) return undefined
  const paths = SECRET_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `headers["${name}"]`])
  // Fastify's logger options may carry a `stream`: pino takes it as its destination.
  const { stream, ...rest } = (logger === true ? {} : logger) as { stream?: DestinationStream, hooks?: { logMethod?: LogMethodHook } }
  const own = rest.hooks?.logMethod
  const hooks = {
    ...rest.hooks,
    // The line startEmulator asks Fastify not to log (see UNLOGGED).
    logMethod (this: Logger, args: Parameters<LogMethodHook>[0], method: Parameters<LogMethodHook>[1], level: number) {
      if (args[0] === UNLOGGED) return
      if (own === undefined) method.apply(this, args)
      else own.call(this, args, method, level)
    }
  }
  const log = pino({ ...rest, hooks, redact: paths }, stream as DestinationStream)
  log.child = (() => log) as unknown as typeof log.child
  return log
}

/**
 * Loads the fixtures, and the state file when there is one; writes the state file at once, which
 * proves it writable before the first change needs it (a StateFileError otherwise).
 */
async function loadWorld (options: BuildOptions, settings: Settings, clock: Clock, store: (fixture: Fixture) => WorldStore) {
  const fixtures = options.fixtures ?? DEFAULT_FIXTURES
  const fixture = typeof fixtures === 'string' ? await loadFixtureFile(fixtures) : validateFixture(structuredClone(fixtures), 'fixtures option')
  const saved = settings.stateFile === undefined ? undefined : await readStateFile(settings.stateFile)
  const loaded = saved ?? fixture
  const world = store(loaded)
  clock.restore(loaded.clock_offset_ms ?? 0)
  if (settings.stateFile === undefined) return { fixture, store: world }
  const stateFile = new StateFile(settings.stateFile, persisted(world, clock), options.fs)
  stateFile.writeNow()
  return { fixture, store: world, stateFile }
}

/**
 * What the state file keeps: the world and the clock's offset, so that a task's end (a time on
 * the emulator's clock) means the same after a restart. A failed write puts both back.
 */
function persisted (store: WorldStore, clock: Clock): StateSource {
  return {
    get version () { return store.version + clock.moves },
    dump: () => {
      const world = store.dump()
      return clock.offsetMs === 0 ? world : { ...world, clock_offset_ms: clock.offsetMs }
    },
    replace: (fixture) => {
      store.replace(fixture)
      clock.restore(fixture.clock_offset_ms ?? 0)
    }
  }
}

/** Builds the emulator, ready for `inject` or `listen`; reads and writes only the files it is given. */
export async function buildApp (options: BuildOptions | null = {}): Promise<FastifyInstance> {
  options ??= {}
  // A ConfigError, before anything is read, for a setting the flags would refuse.
  checkOptionNames(options, BUILD_OPTIONS)
  if (options.limits != null) checkOptionNames(options.limits, Object.keys(DEFAULT_LIMITS), 'limit')
  const settings = settingsOf(options)
  const clock = new Clock(options.now)
  const now = clock.now
  const { fixture, store, stateFile } = await loadWorld(options, settings, clock,
    (f) => new WorldStore(f, { now, syncDurationMs: settings.syncDurationMs }))
  const tls = await TlsMaterial.open(settings)
  const faults = new FaultRules(options.random)
  faults.replace(fixture.faults ?? [])
  const journal = new Journal(settings.journalSize)

  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const app: FastifyInstance = Fastify({
    loggerInstance: createLogger(options.logger),
    // One line per request, written by each plane's onResponse hook.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: options.requestId ?? newRequestId,
    bodyLimit: BODY_LIMIT,
    // Our server: Node's, with pipelined requests carried out one at a time (pipelining.ts).
    serverFactory: (handler) => {
      // Node's own Host check answers an empty 400: the planes check it and answer the gateway's body.
      const pipelines = oneAtATime(handler, { maxQueued: LIMITS.pipelined.value, maxBytes: LIMITS.pipelinedBytes.value })
      const server = createServer({ maxHeaderSize: MAX_HEADER_SIZE, connectionsCheckingInterval: limits.timeoutCheckIntervalMs, requireHostHeader: false }, pipelines)
      server.requestTimeout = limits.requestTimeoutMs
      server.keepAliveTimeout = limits.keepAliveTimeoutMs
      server.headersTimeout = limits.headersTimeoutMs
      server.maxConnections = limits.maxConnections
      parseNothingAfterClose(server)
      // Each turn's answers leave together; a pipelined one at once (turn-writes.ts).
      writeAtTurnEnd(server, pipelines.waiting)
      return server
    },
    // Ids of any length must reach the route and get their 400, not a 404.
    routerOptions: { maxParamLength: MAX_HEADER_SIZE },
    clientErrorHandler: handleClientError,
    frameworkErrors: gatewayBeforeRouting(() => app),
    // Our compilers from the start, so Fastify never loads Ajv or fast-json-stringify: TypeBox
    // validates (each plane sets its own validator), and JSON.stringify writes the small bodies
    // that are not pre-serialised. This saves ~50 ms of cold start (measured with --cpu-prof).
    schemaController: {
      compilersFactory: {
        /* c8 ignore next */ // never called: each plane sets its validator (without this factory Fastify loads Ajv)
        buildValidator: () => { throw new Error('each plane sets its own validator') },
        buildSerializer: () => serializerCompiler
      }
    },
    // Requests that arrive while closing get EMULATOR.0503 from each plane's onRequest hook.
    return503OnClosing: false,
    // HEAD is not an operation of the API: it gets the gateway's 404 like any other method.
    exposeHeadRoutes: false
  })
  answerNodesOwnCases(app)
  const iam = new Iam(store, now, settings.auth)
  app.decorate('emulator', { store, iam, faults, journal, fixture, stateFile, clock, now, startedAt: clock.real(), ready: false, waiting: new Waiting(LIMITS.waiting.value), bodies: new BodyBudget(LIMITS.bodiesInFlight.value), answers: new AnswerBudget(LIMITS.answersInFlight.value), tls })
  decorateRequests(app)
  const connections = new Connections(app.server, { silentMs: limits.headersTimeoutMs, stallMs: limits.stallMs, everyMs: limits.timeoutCheckIntervalMs })
  // HTTPS beside HTTP, once the HTTP server's own listeners are all in place; loaded only then
  // (node:tls and the rest cost start-up time that plain HTTP does not need).
  let schemes: Schemes | undefined
  if (tls !== undefined) {
    const { bothSchemes } = await import('./http/schemes.js')
    // What the certificate covers: the listening address, --tls-names, and the world's regions
    // as Huawei's SDKs name them, looked at each handshake and made again when the world has
    // changed (a world loaded later is covered). The same list while nothing changed.
    let address = ''
    app.server.on('listening', () => { address = (app.server.address() as AddressInfo).address })
    let names = { version: -1, list: [] as string[] }
    const namesNow = () => {
      if (names.version !== store.version) names = { version: store.version, list: [address, ...settings.tlsNames, GLOBAL_IAM, ...iam.regions().flatMap(regionNames)] }
      return names.list
    }
    schemes = bothSchemes(app.server, {
      material: () => tls.options(namesNow()),
      silentMs: limits.headersTimeoutMs,
      log: app.log
    })
  }
  registerLifecycle(app, connections, schemes?.closeUndecided)
  registerOpenApi(app)

  const linger = { lingerMs: limits.lingerMs, lingerBytes: limits.lingerBytes }
  await app.register(apiPlane({
    auth: settings.auth,
    sleep: options.sleep ?? ((ms, signal) => sleep(ms, undefined, { signal })),
    limits: linger,
    routes: apiRoutes
  }))
  await app.register(controlPlane({
    adminToken: settings.adminToken,
    allowedOrigins: settings.allowedOrigins,
    allowedHosts: settings.allowedHosts,
    limits: linger,
    probes: probeRoutes,
    routes: controlRoutes
  }), { prefix: '/_emulator' })
  return app
}

/** Ready once loaded; not ready, with every delay fault ended and quick to let connections go, once closing starts. */
function registerLifecycle (app: FastifyInstance, connections: Connections, closeUndecided = () => {}): void {
  app.addHook('onReady', async () => { app.emulator.ready = true })
  let sweep: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    app.emulator.ready = false
    app.emulator.faults.endDelays()
    app.emulator.journal.endWaits()
    // Shutdown waits for the requests in flight only: connections that are idle, silent or half
    // way through their headers close now, and those whose last request finishes during
    // shutdown as soon as it has.
    const closeUnbusy = () => {
      closeUndecided()
      connections.closeUnbusy(app.server)
    }
    closeUnbusy()
    sweep = setInterval(closeUnbusy, 50).unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(sweep)
    connections.stop()
  })
}
