import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { timingSafeEqual } from 'node:crypto'
import cors from '@fastify/cors'
import { isIP } from 'node:net'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { adminTokenRequired, ApiError, controlForbidden, controlInvalid, controlNotFound, notReady, shorten } from '../core/errors.js'
import type { LingerLimits } from './early-answers.js'
import { controlErrors, errorHandler, sendError } from './errors.js'
import { httpStep } from './api-plane.js'
import { announcesBody } from './body.js'
import { registerPersistence } from './persistence.js'
import { requestLogLine, routeName } from './request-log.js'
import { controlValidatorCompiler } from './validation.js'

export interface ControlPlaneOptions {
  /** When set, every route but health and ready needs `Authorization: Bearer <token>`. */
  adminToken?: string
  /** Origins besides the emulator's own whose pages may use the control plane. */
  allowedOrigins: readonly string[]
  /** Host names besides loopback ones and the listening address, while listening on loopback. */
  allowedHosts: readonly string[]
  limits: LingerLimits
  /** Liveness and readiness: open to every caller. */
  probes: readonly FastifyPluginAsyncTypebox[]
  /** Everything else: behind readiness and the admin token. */
  routes: readonly FastifyPluginAsyncTypebox[]
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/** Whether an address is a loopback one (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6). */
export function isLoopback (address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase()
  if (isIP(bare) === 4) return bare.startsWith('127.')
  return bare === '::1' || bare.startsWith('::ffff:127.')
}

/** The host name of a `Host` value: `[::1]:9336` → `::1`, `Localhost:9336` → `localhost`. */
function hostName (host: string): string {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!
  return name.toLowerCase()
}

/**
 * The emulator's control plane, `/_emulator/…`, as one encapsulated plugin (registered with that
 * prefix). Authentication modes and fault rules never apply here, and requests are not
 * journaled. A request meets, in this order:
 *
 *  1. HTTP parsing, as on the emulated API (the `Host` an HTTP/1.1 request must carry).
 *  2. Its request id, then the browser rules: a page of another origin (`Origin`, or
 *     `Sec-Fetch-Site: cross-site`) is refused, and while the emulator listens on a loopback
 *     address so is a `Host` that is not a loopback name, the listening address or an allowed
 *     host (a DNS-rebinding page): 403 `EMULATOR.0403`.
 *  3. Health and ready answer here; every other route first needs readiness (503
 *     `EMULATOR.0503`) and, when one is set, the admin token (401 `EMULATOR.0401`).
 *  4. Validation, the route, the reply and the log line.
 */
export function controlPlane (options: ControlPlaneOptions) {
  const allowedOrigins = new Set(options.allowedOrigins)
  const allowedHosts = new Set(options.allowedHosts.map((host) => host.toLowerCase()))
  const expectedToken = options.adminToken === undefined ? undefined : Buffer.from(options.adminToken)

  return async function plane (control: FastifyInstance): Promise<void> {
    const emulator = control.emulator
    const logLine = requestLogLine(control, routeName)

    /** Where the emulator listens; a Host check applies only on a loopback address. */
    const listening = (): string | undefined => {
      const address = control.server.address()
      return address !== null && typeof address === 'object' && isLoopback(address.address) ? address.address : undefined
    }

    const browserCheck = (request: FastifyRequest): ApiError | undefined => {
      const { origin, host } = request.headers
      const own = host !== undefined && origin === `http://${host}`
      if (origin !== undefined && !own && !allowedOrigins.has(origin)) {
        return controlForbidden(`The control plane does not answer pages of origin ${shorten(origin)}; allow it with MRS_EMULATOR_ALLOWED_ORIGINS.`)
      }
      if (origin === undefined && request.headers['sec-fetch-site'] === 'cross-site') {
        return controlForbidden('The control plane does not answer requests from other sites (Sec-Fetch-Site: cross-site).')
      }
      const address = listening()
      if (address !== undefined && host !== undefined) {
        const name = hostName(host)
        if (!LOOPBACK_NAMES.has(name) && !isLoopback(name) && name !== address.toLowerCase() && !allowedHosts.has(name)) {
          return controlForbidden(`The control plane does not answer for host ${shorten(host)}; allow it with MRS_EMULATOR_ALLOWED_HOSTS.`)
        }
      }
      return undefined
    }

    const tokenCheck = (request: FastifyRequest): ApiError | undefined => {
      if (expectedToken === undefined) return undefined
      // The scheme is case-insensitive (RFC 9110); the token is compared in constant time.
      const match = /^bearer +(.+)$/i.exec(request.headers.authorization ?? '')
      const given = Buffer.from(match?.[1] ?? '')
      if (given.length === expectedToken.length && timingSafeEqual(given, expectedToken)) return undefined
      return adminTokenRequired()
    }

    control.setValidatorCompiler(controlValidatorCompiler)
    control.setErrorHandler(errorHandler(options.limits, controlErrors))
    const notFound = (request: FastifyRequest) => controlNotFound(`No control-plane route ${request.method} ${shorten(request.url.split('?')[0]!)}.`)
    control.setNotFoundHandler((request, reply) => sendError(reply, notFound(request)))

    // Steps 1 and 2 (and an unknown route answered before its body is read).
    control.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id)
      if (!httpStep(request)) done(controlInvalid('An HTTP/1.1 request needs a Host header.'))
      else done(browserCheck(request) ?? (request.is404 && announcesBody(request.raw) ? notFound(request) : undefined))
    })
    // Pages of an allowed origin are other origins: the browser needs CORS to let them send
    // JSON and read the answers (same-origin pages, the emulator's own, need none).
    if (allowedOrigins.size > 0) {
      await control.register(cors, {
        origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
        methods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowedHeaders: ['Content-Type', 'Authorization'],
        exposedHeaders: ['X-Request-Id', 'Retry-After'],
        // An OPTIONS without Access-Control-Request-Method is answered 204 too, not with the
        // plugin's plain-text 400, which is no documented shape.
        strictPreflight: false,
        maxAge: 600
      })
    }
    if (logLine !== undefined) {
      control.addHook('onResponse', (request, reply, done) => {
        logLine(request, reply)
        done()
      })
    }
    if (emulator.stateFile !== undefined) registerPersistence(control, emulator.stateFile, controlErrors)

    // Step 3.
    for (const routes of options.probes) await control.register(routes)
    await control.register(async (admin) => {
      admin.addHook('onRequest', (request, reply, done) => {
        if (emulator.ready) {
          const error = tokenCheck(request)
          if (error !== undefined) reply.header('www-authenticate', 'Bearer')
          done(error)
          return
        }
        reply.header('retry-after', '1').header('connection', 'close')
        done(notReady())
      })
      for (const routes of options.routes) await admin.register(routes)
    })
  }
}
