import type { FastifyInstance } from 'fastify'
import { FACE_ERRORS, FACE_TAGS, type Face } from '../core/api-schema.js'
import { CONTROL_TAG } from '../core/control-schema.js'
import { IAM_ERRORS } from '../core/iam-schema.js'
import { LIMITS } from '../core/limits.js'

/**
 * Every operation registered from here on is described from its config, where it names its
 * operation and face once: its OpenAPI `operationId`, tag and error answers. Its handler first
 * notes the operation on the request, so that the journal and the log line on the way out need
 * not read `routeOptions`.
 */
export function describeOperations (plane: FastifyInstance): void {
  plane.addHook('onRoute', (route) => {
    const { operation, iam, ownAuth } = route.config as { operation: string, iam?: Face, ownAuth?: boolean }
    // A route that checks its caller itself reads the body of anyone first: a small one.
    if (ownAuth === true) route.bodyLimit = LIMITS.ownAuthBody.value
    const face = iam ?? 'mrs'
    const schema = { operationId: operation, tags: [FACE_TAGS[face]], ...route.schema, response: { ...FACE_ERRORS[face], ...route.schema?.response as object } }
    // IAM's routes word their validation errors as IAM does: the validator reads the face here.
    if (iam !== undefined) {
      if (schema.body !== undefined) schema.body = { ...schema.body as object, [IAM_ERRORS]: iam }
      if (schema.querystring !== undefined) schema.querystring = { ...schema.querystring as object, [IAM_ERRORS]: iam }
    }
    route.schema = schema
    const handler = route.handler
    route.handler = function (request, reply) {
      request.operation = operation
      return handler.call(this, request, reply)
    }
  })
}

/**
 * Every control-plane route registered from here on gets the control plane's tag and, when
 * given, the error answers of its scope (those behind the admin gate all share them).
 */
export function describeControlRoutes (scope: FastifyInstance, errors: object = {}): void {
  scope.addHook('onRoute', (route) => {
    route.schema = { tags: [CONTROL_TAG], ...route.schema, response: { ...errors, ...route.schema?.response as object } }
  })
}
