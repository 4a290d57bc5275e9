import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { FACE_ERRORS, FACE_TAGS, type Face } from '../core/api-schema.js'
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

/**
 * Every operation registered from here on is described from its config, where it names its
 * operation and face once: its OpenAPI `operationId`, tag and error answers. Its handler first
 * notes the operation on the request, so that the journal and the log line on the way out need
 * not read `routeOptions`.
 */
export function describeOperations (plane: FastifyInstance): void {
  plane.addHook('onRoute', (route) => {
    const { operation, iam } = route.config as { operation: string, iam?: Face }
    const face = iam ?? 'mrs'
    route.schema = { operationId: operation, tags: [FACE_TAGS[face]], ...route.schema, response: { ...FACE_ERRORS[face], ...route.schema?.response as object } }
    const handler = route.handler
    route.handler = function (request, reply) {
      request.operation = operation
      return handler.call(this, request, reply)
    }
  })
}

/** The operation of the request's route; null for a path that is not one. */
export function operationOf (request: FastifyRequest): string | null {
  return request.operation ?? routeConfig(request).operation ?? null
}
