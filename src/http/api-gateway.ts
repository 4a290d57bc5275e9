import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ClusterParams } from '../core/api-schema.js'
import { permissiveHeaders, type Authenticator, type AuthMode, type PendingSignature } from '../core/auth.js'
import { ApiError, apiNotFound, apiRequestError, keystoneAuthError, throttled } from '../core/errors.js'
import type { FaultRules, Sleep } from '../core/faults.js'
import type { Journal } from '../core/journal.js'
import { announcesBody } from './body.js'
import { notReadyAnswer, retryLater } from './errors.js'
import { carryOutFault } from './fault-action.js'
import type { Waiting } from './waiting.js'
import type { BodyBudget } from './body-budget.js'
import { httpStep } from './http-step.js'
import { routeConfig } from './internals.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Strict mode: the AK/SK signature whose headers passed, verified once the body is read. */
    signature: PendingSignature | null
  }
}

export interface GatewayOptions {
  auth: AuthMode
  /** Strict mode's checks; undefined in the other modes. */
  strict: Authenticator | undefined
  faults: FaultRules
  journal: Journal
  now: () => number
  /** Whether the world is loaded and the emulator not closing. */
  ready: () => boolean
  /** How delay faults wait. */
  sleep: Sleep
  /** The places to wait in. */
  waiting: Waiting
  /** The bytes of bodies being read at once. */
  bodies: BodyBudget
}

/**
 * The API gateway's steps 1–4 as one `onRequest` hook (each hook costs the hook runner on every
 * request): 1, the `Host` an HTTP/1.1 request must carry; 2, the request id (`X-Request-Id` on
 * every answer), readiness (503 `EMULATOR.0503` while starting or closing) and an unknown route
 * (404 before its body is read); 3, fault rules, before authentication (a gateway outage hits
 * every caller); 4, authentication by headers only, so that a caller who fails it never has a
 * byte of its body buffered.
 */
export function gatewayStep (options: GatewayOptions) {
  const authenticate = authenticator(options)
  const { faults } = options
  return function gateway (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    reply.header('x-request-id', request.id)
    const config = routeConfig(request)
    // IAM answers carry its trace id, which the SDKs quote in their errors: the request's id.
    if (config.iam !== undefined) reply.header('x-iam-trace-id', request.id)
    if (!httpStep(request)) {
      done(apiRequestError())
    } else if (!options.ready()) {
      done(notReadyAnswer(reply))
    } else if (request.is404) {
      // Route and method come first: an unknown path is a 404 whatever the credentials, and
      // answered before its body is read (else Fastify would read and parse it for the 404).
      done(announcesBody(request.raw) ? apiNotFound() : undefined)
    } else {
      const fault = faults.empty ? undefined : faults.take(faultTarget(request))
      if (fault === undefined) done(authenticate(request, reply))
      else carryOutFault(fault, request, reply, done, { ...options, authenticate })
    }
  }
}

/** Step 4, as the gateway words it; IAM's lookups word it Keystone's way; its token routes check their own. */
function authenticator ({ auth, strict, bodies }: GatewayOptions) {
  const gatewayAuth = (request: FastifyRequest): ApiError | undefined => {
    if (auth === 'permissive') return permissiveHeaders(request.headers)
    if (strict === undefined) return undefined
    const verdict = strict.headers({ method: request.method, url: request.url, headers: request.headers, projectId: pathIds(request).project_id })
    if (verdict === undefined || verdict instanceof ApiError) return verdict
    request.signature = verdict
    return undefined
  }
  const bodyShare = (request: FastifyRequest, reply: FastifyReply): ApiError | undefined =>
    announcesBody(request.raw) && !bodies.take(request.raw, reply.raw) ? retryLater(reply, throttled()) : undefined
  // Then, the caller known, its body's share of the bodies read at once (429 when there is none).
  return (request: FastifyRequest, reply: FastifyReply): ApiError | undefined => {
    const { iam, ownAuth } = routeConfig(request)
    if (ownAuth === true) return bodyShare(request, reply)
    const error = gatewayAuth(request)
    if (error === undefined) return bodyShare(request, reply)
    return iam === undefined ? error : keystoneAuthError(error)
  }
}

/**
 * The path ids of a request routed to an operation, read before they are validated (step 7):
 * MRS's routes have `ClusterParamsSchema` params, IAM's none.
 */
export const pathIds = (request: FastifyRequest) => request.params as Partial<ClusterParams>

const faultTarget = (request: FastifyRequest) => {
  const { project_id: projectId, cluster_id: clusterId } = pathIds(request)
  return { operation: routeConfig(request).operation!, method: request.method, projectId, clusterId }
}
