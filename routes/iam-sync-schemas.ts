import { Type, type Static } from '@sinclair/typebox'
import { ClusterIdSchema, ProjectIdSchema } from '../src/core/fixture-schema.js'

export const API_TAG = 'IAM Synchronization'

/** The path parameters every IAM Synchronization operation shares. */
export const ClusterParamsSchema = Type.Object({
  project_id: ProjectIdSchema,
  cluster_id: ClusterIdSchema
})
export type ClusterParams = Static<typeof ClusterParamsSchema>

/** The documented limit of names per array on CancelSyncIamUser. */
export const MAX_NAMES = 1000

/** CancelSyncRequest: every field optional, no other field accepted. */
export const CancelSyncRequestSchema = Type.Object({
  group_names: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_NAMES, description: 'IAM user groups whose synchronization is to be canceled. At most 1,000.' })),
  user_names: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_NAMES, description: 'IAM users whose synchronization is to be canceled. At most 1,000.' }))
}, { additionalProperties: false })

/** UpdateSyncRequest: the arrays have no documented limit. */
export const UpdateSyncRequestSchema = Type.Object({
  is_all_sync: Type.Optional(Type.Boolean({ default: false, description: 'true: synchronize every IAM user and group of the project.' })),
  group_names: Type.Optional(Type.Array(Type.String(), { description: 'IAM user groups to synchronize.' })),
  user_names: Type.Optional(Type.Array(Type.String(), { description: 'IAM users to synchronize, with the groups they belong to.' }))
}, { additionalProperties: false })

export const SyncStateResponseSchema = Type.Object({
  state: Type.String({ description: 'synchronizing: the synchronization task is in progress.' })
})

export const SyncedNamesResponseSchema = Type.Object({
  user_names: Type.Array(Type.String()),
  group_names: Type.Array(Type.String())
})

/** The error body: MRS errors have code and message; gateway errors add the request id. */
export const ErrorResponseSchema = Type.Object({
  error_code: Type.String(),
  error_msg: Type.String(),
  request_id: Type.Optional(Type.String())
})

/** The error statuses every operation can answer with. */
export const errorResponses = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  413: ErrorResponseSchema,
  500: ErrorResponseSchema
}
