import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { keepBody, type Journal } from '../core/journal.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The error_code answered, for the journal. */
    errorCode: string | null
    /** The operation, set by its handler: cheaper than `routeOptions`, which allocates on every read. */
    operation: string | null
    /** The fault rule that acted on the request, for the journal. */
    faultId: string | null
    /** The body sent, noted where it is sent (a JSON value, or its text or bytes), for the journal. */
    sentBody: unknown
  }
}

/** The request fields both planes' hooks fill in. */
export function decorateRequests (app: FastifyInstance): void {
  app.decorateRequest('errorCode', null)
  app.decorateRequest('operation', null)
  app.decorateRequest('faultId', null)
  app.decorateRequest('sentBody', '')
}

/**
 * Every handler registered from here on first notes its operation on the request, so that the
 * journal and the log line on the way out need not read `routeOptions`.
 */
export function noteOperations (plane: FastifyInstance): void {
  plane.addHook('onRoute', (route) => {
    const { operation } = route.config as { operation: string }
    const handler = route.handler
    route.handler = function (request, reply) {
      request.operation = operation
      return handler.call(this, request, reply)
    }
  })
}

/**
 * The config of the request's route: read from Fastify's route context, found once by its
 * symbol's description (`request.routeOptions` builds a frozen object on every read).
 */
let kRouteContext: symbol | undefined
export function routeConfig (request: FastifyRequest): FastifyContextConfig {
  kRouteContext ??= Object.getOwnPropertySymbols(request).find((key) => key.description === 'fastify.context')
  /* c8 ignore next */ // a Fastify without it (none so far) gets the frozen copy
  if (kRouteContext === undefined) return request.routeOptions.config
  return (request as unknown as Record<symbol, { config: FastifyContextConfig }>)[kRouteContext]!.config
}

/** The operation of the request's route; null for a path that is not one. */
export function operationOf (request: FastifyRequest): string | null {
  return request.operation ?? routeConfig(request).operation ?? null
}

/**
 * Fastify's own object of the headers it writes (`reply.getHeaders()` copies it, and Node's, into
 * a new object on every call): found once, by its description, on the first reply.
 */
let kReplyHeaders: symbol | undefined
export function sentHeaders (reply: FastifyReply): Record<string, unknown> {
  kReplyHeaders ??= Object.getOwnPropertySymbols(reply).find((key) => key.description === 'fastify.reply.headers')
  /* c8 ignore next */ // a Fastify without it (none so far) gets the copy
  if (kReplyHeaders === undefined) return reply.getHeaders()
  return (reply as unknown as Record<symbol, Record<string, unknown>>)[kReplyHeaders]!
}

/**
 * Records a request in the journal: references to what it already holds (headers, bodies cut
 * at 16 KiB), shaped into an entry only when the journal is read. Status 0: the connection was
 * dropped, nothing was sent.
 */
export function journalRequest (journal: Journal, now: () => number, request: FastifyRequest, reply: FastifyReply, status: number): void {
  if (!journal.enabled) return
  const params = (request.params ?? {}) as { project_id?: string, cluster_id?: string }
  const sent = request.sentBody
  journal.record({
    requestId: request.id,
    time: now(),
    durationMs: reply.elapsedTime,
    method: request.method,
    path: request.url,
    operation: operationOf(request),
    projectId: params.project_id ?? null,
    clusterId: params.cluster_id ?? null,
    status,
    errorCode: request.errorCode,
    faultId: request.faultId,
    headers: request.headers,
    body: keepBody(request.rawBody),
    bodySize: request.rawBody?.length ?? 0,
    responseHeaders: status === 0 ? null : sentHeaders(reply),
    responseBody: journal.keepSent(sent)
  })
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

/**
 * The request's log line, written on the way out; undefined when the level leaves it out
 * (decided once: building the log object for a level that is off costs on every request).
 * `name` gives the operation it names (the API's operation; the control plane's route).
 */
export function requestLogLine (app: FastifyInstance, name: (request: FastifyRequest) => string | null = operationOf): ((request: FastifyRequest, reply: FastifyReply) => void) | undefined {
  if ((LEVELS[app.log.level] ?? Infinity) > LEVELS.info!) return undefined
  return (request, reply) => {
    // To the microsecond: more digits are noise (`11.967222999999876`).
    const ms = Math.round(reply.elapsedTime * 1000) / 1000
    request.log.info({ reqId: request.id, operation: name(request), method: request.method, url: request.url, status: reply.statusCode, ms }, 'request')
  }
}

/** A control-plane route's name: its OpenAPI operationId (`EmulatorReset`); null for an unknown route. */
export const routeName = (request: FastifyRequest): string | null =>
  (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId ?? null
