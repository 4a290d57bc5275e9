import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ClusterParams } from '../core/api-schema.js'
import { permissiveHeaders, type Authenticator, type PendingSignature } from '../core/auth.js'
import { ApiError, apiNotFound, apiRequestError, entityTooLarge, faultError, keystoneAuthError, notReady } from '../core/errors.js'
import type { Sleep, TakenFault } from '../core/faults.js'
import { strictAuthenticator } from '../core/strict-auth.js'
import type { AuthMode } from '../config.js'
import { announcesBody, BODY_LIMIT, readBody } from './body.js'
import { toOriginForm } from './origin-form.js'
import type { LingerLimits } from './early-answers.js'
import { afterDueResponses, apiErrors, errorHandler, sendError } from './errors.js'
import { registerPersistence } from './persistence.js'
import { journalRequest, noteOperations, requestLogLine, routeConfig } from './request-log.js'
import { apiValidatorCompiler } from './validation.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Strict mode: the AK/SK signature whose headers passed, verified once the body is read. */
    signature: PendingSignature | null
  }
}

export interface ApiPlaneOptions {
  auth: AuthMode
  /** How delay faults wait. */
  sleep: Sleep
  /** How an early answer's connection lingers. */
  limits: LingerLimits
  /** The emulated API's routes. */
  routes: readonly FastifyPluginAsyncTypebox[]
}

/**
 * Step 1's share of both planes, once the router has picked the plane: an absolute-form target
 * taken as its origin form, and the `Host` that HTTP/1.1 requires (Node's own check would
 * answer an empty 400; this one answers the gateway's body).
 */
export function httpStep (request: FastifyRequest): boolean {
  const raw = request.raw
  toOriginForm(raw)
  return raw.headers.host !== undefined || raw.httpVersionMajor !== 1 || raw.httpVersionMinor !== 1
}

/**
 * The emulated API behind its API gateway: one encapsulated plugin that owns its hooks, its
 * validator, its not-found and error answers and its journal. A request meets, in this order:
 *
 *  1. HTTP parsing and connection limits (Node; malformed requests get `handleClientError`'s
 *     400 `APIGW.0201`, a path that does not decode `gatewayBeforeRouting`'s), routing (which
 *     picks the plane), then `httpStep`: an absolute-form target taken as its origin form, and
 *     the `Host` an HTTP/1.1 request must carry.
 *  2. Its request id (`X-Request-Id` on every answer), and readiness: 503 `EMULATOR.0503`
 *     while starting or closing.
 *  3. Fault rules, before authentication (a gateway outage hits every caller): a delay waits
 *     here; an error or a drop is carried out once the body has been read, whatever the credentials.
 *  4. Authentication by headers only: a request that fails here is answered before a byte of
 *     its body is buffered (and its connection lingers so that the client sees the answer).
 *  5. The body, read by the content-type parsers (`body.ts`): at most 12 MiB (413), JSON nested
 *     at most 64 levels, checked before parsing.
 *  6. Strict mode: the signature, over the bytes received.
 *  7. Path and body validation, the operation and its reply; then the log line and the journal.
 *
 * Steps 1–4 are one `onRequest` hook (each hook costs the hook runner on every request), step 6
 * is a `preValidation` hook in strict mode only, step 7's record an `onResponse` hook.
 */
export function apiPlane (options: ApiPlaneOptions) {
  return async function plane (api: FastifyInstance): Promise<void> {
    // Read through locals: the Fastify instance is a large object whose property loads are slow.
    const emulator = api.emulator
    const { faults, journal, now, store } = emulator
    // Signatures are judged on the real clock (clients sign with theirs); the rest follows the emulator's.
    // Issued tokens and temporary keys expire on the emulator's clock, which tests move forward.
    const strict = options.auth === 'strict' ? strictAuthenticator(() => store.credentials, emulator.clock.real, now) : undefined
    const logLine = requestLogLine(api)

    api.setValidatorCompiler(apiValidatorCompiler)
    api.setErrorHandler(errorHandler(options.limits, apiErrors))
    // Unknown paths and methods, anywhere but under /_emulator/: the gateway's 404.
    api.setNotFoundHandler((request, reply) => sendError(reply, apiNotFound()))
    // Strict mode only: a decorator costs every request of the plane its property.
    if (strict !== undefined) api.decorateRequest('signature', null)

    /** Step 4, as the gateway words it. */
    const gatewayAuth = (request: FastifyRequest): ApiError | undefined => {
      if (options.auth === 'permissive') return permissiveHeaders(request.headers)
      if (strict === undefined) return undefined
      const verdict = strictHeaders(strict, request)
      if (verdict === undefined || verdict instanceof ApiError) return verdict
      request.signature = verdict
      return undefined
    }
    /** Step 4: IAM's lookups word a missing credential or a bad token Keystone's way; its token routes check their own. */
    const authenticate = (request: FastifyRequest, { iam, ownAuth } = routeConfig(request)): ApiError | undefined => {
      if (ownAuth === true) return undefined
      const error = gatewayAuth(request)
      return error === undefined || iam === undefined ? error : keystoneAuthError(error)
    }

    /** Step 3, a rule acts: a delay, an error (after its delay, if any), or a drop. */
    const carryOut = ({ rule, action }: TakenFault, request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
      request.faultId = rule
      if (!('status' in action) && !('drop' in action)) {
        void faults.delay(rule, action.delay_ms, options.sleep).then(() => done(authenticate(request)))
        return
      }
      const act = () => {
        if ('drop' in action) {
          request.log.info({ reqId: request.id, rule }, 'fault: connection dropped')
          journalRequest(journal, now, request, reply, 0)
          void reply.hijack()
          // Answers due before it on the connection (pipelined requests) are sent first.
          const socket = request.raw.socket
          afterDueResponses(socket, () => socket.destroy(), reply.raw)
        } else {
          if (action.headers !== undefined) reply.headers(action.headers)
          done(faultError(action.status, action.error_code, action.error_msg))
        }
      }
      const afterBody = () => {
        if (!announcesBody(request.raw)) {
          act()
          return
        }
        readBody(request.raw, BODY_LIMIT).then((body) => {
          request.rawBody = body
          act()
        }, done)
      }
      if (!('delay_ms' in action) || action.delay_ms === undefined) {
        afterBody()
        return
      }
      // An error after a wait; the request goes on normally if the rule goes meanwhile.
      void faults.delay(rule, action.delay_ms, options.sleep).then((waited) => {
        if (waited) afterBody()
        else done(authenticate(request))
      })
    }

    // Steps 1–4.
    api.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id)
      const config = routeConfig(request)
      // IAM answers carry its trace id, which the SDKs quote in their errors: the request's id.
      if (config.iam !== undefined) reply.header('x-iam-trace-id', request.id)
      if (!httpStep(request)) {
        done(apiRequestError())
      } else if (!emulator.ready) {
        reply.header('retry-after', '1').header('connection', 'close')
        done(notReady())
      } else if (request.is404) {
        // Route and method come first: an unknown path is a 404 whatever the credentials, and
        // answered before its body is read (else Fastify would read and parse it for the 404).
        done(announcesBody(request.raw) ? apiNotFound() : undefined)
      } else {
        const fault = faults.empty ? undefined : faults.take(faultTarget(request))
        if (fault === undefined) done(authenticate(request, config))
        else carryOut(fault, request, reply, done)
      }
    })

    // Step 6.
    if (strict !== undefined) {
      api.addHook('preValidation', (request, reply, done) => {
        const pending = request.signature
        if (pending === null) {
          done()
        } else if (request.rawBody === undefined && announcesBody(request.raw)) {
          // A GET's body, which Fastify never reads: the SDKs sign it if they send one.
          readBody(request.raw, BODY_LIMIT).then((body) => {
            request.rawBody = body
            done(body === undefined ? entityTooLarge() : strict.signature(pending, authRequest(request)))
          }, done)
        } else {
          done(strict.signature(pending, authRequest(request)))
        }
      })
    }

    if (emulator.stateFile !== undefined) registerPersistence(api, emulator.stateFile, apiErrors)
    // Step 7's record: every request, unknown paths included (a misrouted call is what a user debugs).
    api.addHook('onResponse', (request, reply, done) => {
      logLine?.(request, reply)
      journalRequest(journal, now, request, reply, reply.statusCode)
      done()
    })

    noteOperations(api)
    for (const routes of options.routes) await api.register(routes)
  }
}

/**
 * The path ids of a request routed to an operation, read before they are validated (step 7):
 * MRS's routes have `ClusterParamsSchema` params, IAM's none.
 */
const pathIds = (request: FastifyRequest) => request.params as Partial<ClusterParams>

const faultTarget = (request: FastifyRequest) => {
  const { project_id: projectId, cluster_id: clusterId } = pathIds(request)
  return { operation: routeConfig(request).operation!, method: request.method, projectId, clusterId }
}

const strictHeaders = (strict: Authenticator, request: FastifyRequest) =>
  strict.headers({ method: request.method, url: request.url, headers: request.headers, projectId: pathIds(request).project_id })

const authRequest = (request: FastifyRequest) => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  projectId: pathIds(request).project_id,
  body: request.rawBody
})

/**
 * What Fastify answers itself before routing (a path whose `%` escapes do not decode): the
 * gateway's 400, with its request id, log line and journal entry like any other answer.
 */
export function gatewayBeforeRouting (app: () => FastifyInstance) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    const { journal, now } = app().emulator
    reply.header('x-request-id', request.id)
    request.log.info({ reqId: request.id, url: request.url, reason: error.message }, 'request refused before routing')
    sendError(reply, apiRequestError())
    journalRequest(journal, now, request, reply, reply.statusCode)
  }
}
