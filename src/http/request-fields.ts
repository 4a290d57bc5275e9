import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { routeConfig, sentHeaders } from './internals.js'

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
  interface FastifyReply {
    /** Sets a header spelled as given on the wire (`reply.header()` writes names in lower case). */
    exactHeader: (name: string, value: string) => FastifyReply
  }
}

/** The request fields both planes' steps fill in, for the journal and the log line. */
export function decorateRequests (app: FastifyInstance): void {
  app.decorateRequest('errorCode', null)
  app.decorateRequest('operation', null)
  app.decorateRequest('faultId', null)
  app.decorateRequest('sentBody', '')
  app.decorateReply('exactHeader', function (this: FastifyReply, name: string, value: string) {
    sentHeaders(this)[name] = value
    return this
  })
}

/** The operation of the request's route; null for a path that is not one. */
export function operationOf (request: FastifyRequest): string | null {
  return request.operation ?? routeConfig(request).operation ?? null
}
