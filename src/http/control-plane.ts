import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import cors from '@fastify/cors'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { CONTROL_ERRORS } from '../core/control-schema.js'
import { controlInvalid, controlNotFound, shorten, tooManyAnswers } from '../core/errors.js'
import { adminGate } from './admin-gate.js'
import { announcesBody, registerBodyParsers } from './body.js'
import { browserRules } from './browser-rules.js'
import type { LingerLimits } from './early-answers.js'
import { controlErrors, errorHandler, sendError } from './errors.js'
import { httpStep } from './http-step.js'
import { largeAnswers, roomForLarge } from './large-answers.js'
import { registerPersistence } from './persistence.js'
import { describeControlRoutes } from './operations.js'
import { logStep } from './record.js'
import { controlValidatorCompiler } from './validation.js'

export interface ControlPlaneOptions {
  /** When set, every route but health and ready needs `Authorization: Bearer <token>`. */
  adminToken?: string
  /** Origins besides the emulator's own whose pages may use the control plane. */
  allowedOrigins: readonly string[]
  /** Host names besides loopback ones and the listening address, while listening on loopback. */
  allowedHosts: readonly string[]
  limits: LingerLimits
  /** Liveness, readiness and the dashboard's files: open to every caller. */
  probes: readonly FastifyPluginAsyncTypebox[]
  /** Everything else: behind readiness and the admin token. */
  routes: readonly FastifyPluginAsyncTypebox[]
}

/**
 * The emulator's control plane, `/_emulator/…`, as one encapsulated plugin (registered with that
 * prefix): every step a request meets, registered below (docs/architecture.md tells the same).
 * Authentication modes and fault rules never apply here, and requests are not journaled.
 *
 *  1. HTTP parsing, as on the emulated API, and the `Host` an HTTP/1.1 request must carry.
 *  2. Its request id, then the browser rules (403 `EMULATOR.0403`); an unknown route is
 *     answered 404 before its body is read. Pages of an allowed origin get CORS answers.
 *  3. Every route but the probes (health, ready, the dashboard's files): the admin gate,
 *     readiness then the admin token. An onRequest hook of the admin routes' scope, registered
 *     with them: it runs before the body is read.
 *  4. The body (the same parsers as the emulated API), validation; a route whose last answer
 *     was large gets 429 when no share that size is left; the route.
 *  5. While a change is not yet in the state file, the answer waits for it (a 500 if it fails);
 *     then a large answer takes its share of the large answers sent at once (429 without one).
 *  6. The log line.
 */
export function controlPlane (options: ControlPlaneOptions) {
  const allowedOrigins = new Set(options.allowedOrigins)

  return async function plane (control: FastifyInstance): Promise<void> {
    const { emulator } = control
    const browserCheck = browserRules(control, { allowedOrigins, allowedHosts: options.allowedHosts })
    const notFound = (request: FastifyRequest) => controlNotFound(`No control-plane route ${request.method} ${shorten(request.url.split('?')[0]!)}.`)

    control.setErrorHandler(errorHandler(options.limits, controlErrors))
    control.setNotFoundHandler((request, reply) => sendError(reply, notFound(request))) // 2
    control.addHook('onRequest', (request, reply, done) => { // 1–2
      reply.header('x-request-id', request.id)
      if (!httpStep(request)) done(controlInvalid('An HTTP/1.1 request needs a Host header.'))
      else done(browserCheck(request) ?? (request.is404 && announcesBody(request.raw) ? notFound(request) : undefined))
    })
    if (allowedOrigins.size > 0) await control.register(cors, corsOptions(allowedOrigins)) // 2
    registerBodyParsers(control) // 4
    control.setValidatorCompiler(controlValidatorCompiler) // 4
    if (emulator.stateFile !== undefined) registerPersistence(control, emulator.stateFile, controlErrors) // 5
    control.addHook('preHandler', roomForLarge(emulator.answers, tooManyAnswers)) // 4
    control.addHook('onSend', largeAnswers(emulator.answers, tooManyAnswers)) // 5
    const log = logStep(control)
    if (log !== undefined) control.addHook('onResponse', log) // 6

    describeControlRoutes(control)
    for (const routes of options.probes) await control.register(routes) // 4, open to every caller
    await control.register(async (admin) => {
      admin.addHook('onRequest', adminGate(options.adminToken, () => emulator.ready, emulator.bodies)) // 3
      describeControlRoutes(admin, CONTROL_ERRORS)
      for (const routes of options.routes) await admin.register(routes) // 4
    })
  }
}

/**
 * Pages of an allowed origin are other origins: the browser needs CORS to let them send JSON
 * and read the answers (same-origin pages, the emulator's own, need none).
 */
const corsOptions = (allowedOrigins: ReadonlySet<string>) => ({
  origin: (origin: string | undefined, callback: (error: Error | null, allow: boolean) => void) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  allowedHeaders: ['Content-Type', 'Authorization'],
  exposedHeaders: ['X-Request-Id', 'Retry-After'],
  // An OPTIONS without Access-Control-Request-Method is answered 204 too, not with the
  // plugin's plain-text 400, which is no documented shape.
  strictPreflight: false,
  maxAge: 600
})
