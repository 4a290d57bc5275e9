import { Type, type Static } from '@sinclair/typebox'
import { IamOperation, KeystoneErrorSchema, type IamFace } from './iam-schema.js'
import { LIMITS, worded } from './limits.js'

/**
 * The wire shapes of the emulated API, written once: the routes register them (validation and
 * the OpenAPI document) and the core takes the types derived from them.
 */

/** The operations as Huawei's SDKs name them: the one list of them. */
export const Operation = {
  CancelSyncIamUser: 'CancelSyncIamUser',
  UpdateSyncIamUser: 'UpdateSyncIamUser',
  ShowSyncIamUser: 'ShowSyncIamUser',
  ListSyncStatus: 'ListSyncStatus',
  ListSyncRequirements: 'ListSyncRequirements'
} as const
export type Operation = typeof Operation[keyof typeof Operation]
/** Every operation of the emulated API, IAM's included: what fault rules and journal queries name. */
export const OPERATIONS = [...Object.values(Operation), ...Object.values(IamOperation)]
export const OperationSchema = Type.Union(OPERATIONS.map((name) => Type.Literal(name)))

const ID_LENGTH = LIMITS.idLength.value
/** `project_id` as the API reference defines it: 1 to 64 letters and digits. */
// The length is a bound and the pattern a plain `+`: the same language as `{1,64}`, which the
// regular-expression engine unrolls into 64 states, at half the instructions per check.
export const ProjectIdSchema = Type.String({ minLength: 1, maxLength: ID_LENGTH, pattern: '^[A-Za-z0-9]+$', 'x-expected': 'letters and digits only', description: `Project ID: 1 to ${ID_LENGTH} letters and digits.` })
/** `cluster_id` as the API reference defines it: 1 to 64 letters, digits, `_` and `-`. */
export const CLUSTER_ID_RULE = `1 to ${ID_LENGTH} letters, digits, underscores or hyphens`
export const ClusterIdSchema = Type.String({ minLength: 1, maxLength: ID_LENGTH, pattern: '^[A-Za-z0-9_-]+$', 'x-expected': 'letters, digits, underscores and hyphens only', description: `Cluster ID: ${CLUSTER_ID_RULE}.` })

/** The path parameters every IAM Synchronization operation shares. */
export const ClusterParamsSchema = Type.Object({
  project_id: ProjectIdSchema,
  cluster_id: ClusterIdSchema
})
export type ClusterParams = Static<typeof ClusterParamsSchema>

/** The documented limit of names per array on CancelSyncIamUser. */
export const MAX_NAMES = LIMITS.names.value

/** CancelSyncRequest: every field optional, no other field accepted. */
export const CancelSyncRequestSchema = Type.Object({
  group_names: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_NAMES, description: `IAM user groups whose synchronization is to be canceled. At most ${worded(LIMITS.names)}.` })),
  user_names: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_NAMES, description: `IAM users whose synchronization is to be canceled. At most ${worded(LIMITS.names)}.` }))
}, { additionalProperties: false })
export type CancelRequest = Static<typeof CancelSyncRequestSchema>

/** UpdateSyncRequest: the arrays have no documented limit. */
export const UpdateSyncRequestSchema = Type.Object({
  is_all_sync: Type.Optional(Type.Boolean({ default: false, description: 'true: synchronize every IAM user and group of the project.' })),
  group_names: Type.Optional(Type.Array(Type.String(), { description: 'IAM user groups to synchronize.' })),
  user_names: Type.Optional(Type.Array(Type.String(), { description: 'IAM users to synchronize, with the groups they belong to.' }))
}, { additionalProperties: false })
export type SyncRequest = Static<typeof UpdateSyncRequestSchema>

export const SyncStateResponseSchema = Type.Object({
  state: Type.String({ description: 'synchronizing: the synchronization task is in progress.' })
})

export const SyncedNamesSchema = Type.Object({
  user_names: Type.Array(Type.String()),
  group_names: Type.Array(Type.String())
})
export type SyncedNames = Static<typeof SyncedNamesSchema>

/** The error body (`errorBody` in errors.ts): MRS errors have code and message; gateway errors add the request id. */
export const ErrorBodySchema = Type.Object({
  error_code: Type.String(),
  error_msg: Type.String(),
  request_id: Type.Optional(Type.String())
})

/**
 * The faces of the emulated API: MRS, IAM's `/v3` routes (which answer Keystone's error body)
 * and its `/v3.0` routes. A route names its face once, in its config (`iam`; none for MRS); its
 * OpenAPI tag and error answers follow from it.
 */
export type Face = 'mrs' | IamFace

export const FACE_TAGS: Record<Face, string> = { mrs: 'IAM Synchronization', keystone: 'IAM', iam: 'IAM' }

/** What IAM's `/v3` routes answer on errors: Keystone's body, or the gateway's (404, 413, faults, AK/SK). */
const KeystoneOrGateway = Type.Union([KeystoneErrorSchema, ErrorBodySchema])

/** The error statuses every operation of a face can answer with. */
export const FACE_ERRORS = {
  mrs: { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 413: ErrorBodySchema, 429: ErrorBodySchema, 500: ErrorBodySchema, 503: ErrorBodySchema },
  keystone: { 400: KeystoneOrGateway, 401: KeystoneOrGateway, 403: KeystoneOrGateway, 413: ErrorBodySchema, 429: ErrorBodySchema, 500: KeystoneOrGateway, 503: ErrorBodySchema },
  iam: { 400: ErrorBodySchema, 401: ErrorBodySchema, 413: ErrorBodySchema, 429: ErrorBodySchema, 500: ErrorBodySchema, 503: ErrorBodySchema }
} satisfies Record<Face, object>

/**
 * Marks an operation whose body may be left out (the SDKs send none when it is empty): the
 * OpenAPI document then says `requestBody.required: false`.
 */
export const BODY_OPTIONAL = 'x-body-optional'
