import { STATUS_CODES } from 'node:http'
import { LIMITS, worded } from './limits.js'

/**
 * How an error body is written: `service` `{error_code, error_msg}` (MRS, IAM's `/v3.0` paths
 * with `IAM.xxxx` codes, the control plane); `gateway` the same plus `request_id` (the API
 * gateway in front of every Huawei Cloud service); `keystone` IAM's `/v3` paths,
 * `{"error": {"code": <status>, "message", "title"}}` (reference/iam-api.md §8).
 */
export type ErrorShape = 'service' | 'gateway' | 'keystone'

/**
 * Every error the emulator answers with, in one table. Service errors use the MRS codes of the
 * API reference ("Error Codes"); gateway errors use the APIGW codes of the API gateway in front
 * of every Huawei Cloud service, whose bodies also carry `request_id`; IAM's errors use its
 * code table (`IAM.xxxx`; a Keystone-shaped body shows only the status, the code is for the
 * journal and the log); the control plane uses the emulator's own `EMULATOR.*` codes. The
 * error tables of docs/errors.md and docs/iam.md list the same rows with sources.
 */
export interface ApiError extends Error {
  readonly statusCode: number
  readonly code: string
  readonly shape: ErrorShape
  /** What kind of authentication failure this is, for the planes that word it their own way. */
  authFailure?: AuthFailure
  /**
   * The emulator's hint where the real wording is terse: in the request's log line only (never in
   * the body, which stays byte-exact for the clients that parse it).
   */
  hint?: string
}

/** `error`, with a hint for its log line. */
export function hinted (error: ApiError, hint: string): ApiError {
  error.hint = hint
  return error
}

/** When the Authorization header is a bearer token: where this API takes a token. */
export const BEARER_HINT = 'This API takes a token in X-Auth-Token (an IAM token), not in Authorization: Bearer; Authorization carries AK/SK signatures (SDK-HMAC-SHA256).'
export const bearerHint = (error: ApiError, authorization: string): ApiError =>
  /^bearer\s/i.test(authorization) ? hinted(error, BEARER_HINT) : error

interface ApiErrorConstructor {
  new (statusCode: number, code: string, message: string, shape?: ErrorShape): ApiError
  readonly prototype: ApiError
}

/**
 * An answer, not a bug: built without Error's constructor, so no stack is captured (it is
 * never shown). `new Error` costs ~4,000 instructions even with `Error.stackTraceLimit` 0,
 * ~3% of an answer on the error path (bench/RESULTS.md). Still an `instanceof Error`, which
 * is how Fastify tells an error from a payload.
 */
export const ApiError = function ApiError (this: { -readonly [K in keyof ApiError]: ApiError[K] }, statusCode: number, code: string, message: string, shape: ErrorShape = 'service') {
  this.message = message
  this.statusCode = statusCode
  this.code = code
  this.shape = shape
} as unknown as ApiErrorConstructor
Object.setPrototypeOf(ApiError.prototype, Error.prototype)
Object.defineProperty(ApiError.prototype, 'name', { value: 'ApiError', writable: true, configurable: true })

/** The error body, the only place it is written: gateway errors also carry the request id. */
export function errorBody (error: ApiError, requestId: string) {
  switch (error.shape) {
    case 'gateway':
      return { error_code: error.code, error_msg: error.message, request_id: requestId }
    case 'keystone':
      return { error: { code: error.statusCode, message: error.message, title: STATUS_CODES[error.statusCode]! } }
    default:
      return { error_code: error.code, error_msg: error.message }
  }
}

/** Cuts a client-supplied value down to a size that is safe to put in a message or a log. */
export function shorten (value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value
}

// The MRS service.
export const invalidParameter = (message: string) => new ApiError(400, '12000002', message)
export const clusterNotFound = () => new ApiError(400, '12000003', 'The cluster does not exist.')
export const internalError = () => new ApiError(500, '12000004', 'Internal server error.')
export const invalidProjectId = (projectId: string) =>
  hinted(new ApiError(400, '12000107', `Invalid project ID: ${shorten(projectId)}.`),
    `A project id is 1 to ${LIMITS.idLength.value} letters and digits (IAM's are 32 hex digits; GET /v3/projects lists them).`)
export const operationNotSupported = (message: string) => new ApiError(400, '12000054', message)
export const syncInProgress = (clusterId: string) => new ApiError(500, '12000154',
  `IAM synchronization is in progress and cannot be triggered again in the same cluster. Cluster ID: ${clusterId}`)
export const iamGroupNotFound = (name: string) =>
  new ApiError(500, '12000156', `Failed to query Iam group: ${shorten(name)}`)
export const iamUserNotFound = (name: string) =>
  new ApiError(500, '12000157', `Failed to query Iam user or role: ${shorten(name)}`)

// The API gateway.
export const apiNotFound = () => new ApiError(404, 'APIGW.0101',
  'The API does not exist or has not been published in the environment.', 'gateway')
export const apiRequestError = () => new ApiError(400, 'APIGW.0201', 'API request error.', 'gateway')
export const requestTimeout = () => new ApiError(408, 'APIGW.0201', 'Request timeout.', 'gateway')
export const entityTooLarge = () => new ApiError(413, 'APIGW.0201', 'Request entity too large.', 'gateway')
export const headersTooLarge = () => new ApiError(431, 'APIGW.0201', 'Request header fields too large.', 'gateway')
export const authenticationFailed = (detail: string) =>
  new ApiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`, 'gateway')
/** The gateway's throttling answer: here, when every place to wait is taken (a delay fault). */
export const throttled = () => new ApiError(429, 'APIGW.0308', 'The throttling threshold has been reached.', 'gateway')
export const accessDenied = () => new ApiError(403, 'APIGW.0306', 'API access denied.', 'gateway')

/**
 * The authentication failures IAM words its own way on its routes (see `iamAuthError`): no
 * credentials at all, a token that is not one, a token past its expiry.
 */
export type AuthFailure = 'missing' | 'unknown-token' | 'expired-token'
const failing = (error: ApiError, failure: AuthFailure) => {
  error.authFailure = failure
  return error
}
export const credentialsMissing = () => failing(authenticationFailed('x-auth-token not found'), 'missing')
export const tokenUnknown = () => failing(authenticationFailed('decrypt token fail'), 'unknown-token')
/** A token or temporary key past its expiry on the emulator's clock (the IAM docs' wording; the code is a choice). */
export const credentialExpired = (token: boolean) => {
  const error = new ApiError(401, 'APIGW.0307', 'The token must be updated.', 'gateway')
  return token ? failing(error, 'expired-token') : error
}

/** What a fault rule answers: its own status, code and message; an APIGW code gets the gateway's body. */
export const faultError = (status: number, code: string, message: string) =>
  new ApiError(status, code, message, code.startsWith('APIGW.') ? 'gateway' : 'service')

// IAM (reference/iam-api.md §6–9): Keystone-shaped on /v3 paths, `IAM.xxxx` on /v3.0 paths.
export const keystoneError = (status: number, code: string, message: string) => new ApiError(status, code, message, 'keystone')
export const iamError = (status: number, code: string, message: string) => new ApiError(status, code, message)
const REQUIRES_AUTHENTICATION = 'The request you have made requires authentication.'
/** How IAM's `/v3` routes word a failure of the gateway's authentication step; AK/SK failures stay the gateway's. */
export function keystoneAuthError (error: ApiError): ApiError {
  switch (error.authFailure) {
    case 'missing': return keystoneError(401, 'IAM.0001', REQUIRES_AUTHENTICATION)
    case 'unknown-token': return keystoneError(401, 'IAM.0067', 'The X-Auth-Token is invalid!')
    case 'expired-token': return keystoneError(401, 'IAM.0066', 'The token has expired.')
    default: return error
  }
}
export const wrongPassword = () => keystoneError(401, 'IAM.0062', 'The username or password is wrong.')
/** The documented 400 of `/v3/auth/tokens`, with what is wrong after it. */
export const keystoneBodyInvalid = (detail: string) => keystoneError(400, 'IAM.0011', `The request body is invalid: ${detail}`)
export const credentialsRequired = () => iamError(401, 'IAM.0001', REQUIRES_AUTHENTICATION)
export const keystoneNotFound = (what: string, id: string) => keystoneError(401, 'IAM.0004', `Could not find ${what}: ${shorten(id)}.`)
export const iamInternal = () => iamError(500, 'IAM.0006', 'An unexpected error prevented the server from fulfilling your request.')
export const keystoneInternal = () => keystoneError(500, 'IAM.0006', 'An unexpected error prevented the server from fulfilling your request.')
/** A query parameter of a `/v3` route that IAM refuses. */
export const keystoneParameterInvalid = (detail: string) => keystoneError(400, 'IAM.0007', `Request parameter ${detail}.`)
export const keystoneForbidden = (detail: string) => keystoneError(403, 'IAM.0002', `You are not authorized to perform the requested action: ${detail}`)
export const keystoneConflict = (message: string) => keystoneError(409, 'IAM.0005', message)
export const subProjectQuota = (region: string) =>
  keystoneConflict(`The quota of sub-projects in region ${shorten(region)} is used up: at most ${worded(LIMITS.subProjects)} (IAM's default quota).`)
export const projectQuota = () =>
  keystoneConflict(`The quota of projects is used up: the emulator's world holds at most ${worded(LIMITS.projects)} projects.`)
/** The `/v3.0` routes' body errors: none, unusable, a field missing, a field invalid. */
export const iamBodyMissing = () => iamError(400, 'IAM.1101', 'The request body size 0 is invalid.')
export const iamBodyInvalid = (reason: string) => iamError(400, 'IAM.0011', `Request body is invalid. ${reason}`)
export const iamFieldMissing = (field: string) => iamError(400, 'IAM.1103', `The ${field} is required in the request body.`)
export const iamFieldInvalid = (field: string, reason: string) => iamError(400, 'IAM.1102', `The ${field} in the request body is invalid: ${reason}`)
export const iamTokenInvalid = () => iamError(401, 'IAM.0067', 'Invalid token.')
export const iamTokenExpired = () => iamError(401, 'IAM.0066', 'The token has expired.')

// The emulator itself (the control plane, and readiness on both planes).
export const controlInvalid = (message: string) => new ApiError(400, 'EMULATOR.0400', message)
export const adminTokenRequired = () =>
  new ApiError(401, 'EMULATOR.0401', 'The control plane needs Authorization: Bearer <admin token>.')
export const controlForbidden = (message: string) => new ApiError(403, 'EMULATOR.0403', message)
export const controlInternal = (message: string) => new ApiError(500, 'EMULATOR.0500', message)
export const duplicateFault = (id: string) =>
  new ApiError(409, 'EMULATOR.0409', `A fault rule with id ${id} exists: delete it first, or choose another id.`)
export const controlNotFound = (message: string) => new ApiError(404, 'EMULATOR.0404', message)
export const controlConflict = (message: string) => new ApiError(409, 'EMULATOR.0409', message)
/** IAM finds projects by name (the SDKs by region): the world never holds two of one name. */
export const projectNameTaken = (name: string, holder: string) =>
  controlConflict(`Project ${holder} is named ${shorten(name)} already: project names are unique (IAM finds projects by name). Rename it first (PUT /_emulator/state).`)
export const controlTooLarge = () =>
  new ApiError(413, 'EMULATOR.0413', `Request entity too large: the control plane takes bodies of at most ${worded(LIMITS.body)}.`)
export const controlHeadersTooLarge = () =>
  new ApiError(431, 'EMULATOR.0431', `Request header fields too large: the control plane takes headers of at most ${worded(LIMITS.headers)}.`)
/** A change that would take the world past one of its limits (LIMITS.projects, clusters, worldNames). */
export const worldFull = (what: string) =>
  new ApiError(409, 'EMULATOR.0409', `The world would hold more than ${what}: the emulator's limit. Remove some first, or reset.`)
export const tooManyFaults = (max: number) =>
  new ApiError(409, 'EMULATOR.0409', `At most ${max} fault rules: delete some first.`)
export const tooManyWaiting = () =>
  new ApiError(429, 'EMULATOR.0429', `Too many requests waiting: at most ${worded(LIMITS.waiting)} wait at once (journal wait_ms long polls and delay faults). Try again shortly.`)
export const tooManyBodies = () =>
  new ApiError(429, 'EMULATOR.0429', `Too many large bodies at once: at most ${worded(LIMITS.bodiesInFlight)} of request bodies are read at a time. Try again shortly.`)
export const tooManyAnswers = () =>
  new ApiError(429, 'EMULATOR.0429', `Too many large answers at once: at most ${worded(LIMITS.answersInFlight)} of them are sent at a time. Try again shortly.`)
export const tooManyReads = () =>
  new ApiError(429, 'EMULATOR.0429', `Too many journal reads at once: at most ${worded(LIMITS.journalReads)} are sent at a time. Try again shortly.`)
export const notReady = () =>
  new ApiError(503, 'EMULATOR.0503', 'The emulator is not ready: it is starting or shutting down.')
