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
