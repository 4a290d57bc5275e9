import { ErrorBodySchema } from '../src/core/api-schema.js'

export const API_TAG = 'IAM Synchronization'

/** The error statuses every operation can answer with. */
export const errorResponses = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  413: ErrorBodySchema,
  500: ErrorBodySchema,
  503: ErrorBodySchema
}

/**
 * Marks a route whose body may be left out (the SDKs send none when it is empty): the OpenAPI
 * document then says `requestBody.required: false` (see `optionalBodies`).
 */
export const BODY_OPTIONAL = 'x-body-optional'

/** @fastify/swagger marks every body required; this undoes it where BODY_OPTIONAL says so. */
export function optionalBodies (document: object) {
  const openapiObject = (document as { openapiObject: { paths: unknown } }).openapiObject
  const paths = openapiObject.paths as Record<string, Record<string, Record<string, unknown> & { requestBody?: { required: boolean } }>>
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (operation[BODY_OPTIONAL] !== true) continue
      delete operation[BODY_OPTIONAL]
      operation.requestBody!.required = false
    }
  }
  return openapiObject
}
