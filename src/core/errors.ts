/**
 * Every error the emulator answers with, in one table. Service errors use the MRS codes of the
 * API reference ("Error Codes"); gateway errors use the APIGW codes of the API gateway in front
 * of every Huawei Cloud service, whose bodies also carry `request_id`; the control plane uses the
 * emulator's own `EMULATOR.*` codes. The README's error tables list the same rows with sources.
 */
export class ApiError extends Error {
  readonly statusCode: number
  readonly code: string
  readonly gateway: boolean

  constructor (statusCode: number, code: string, message: string, gateway = false) {
    // An answer, not a bug: no stack trace to capture (it is never shown, and costs on the hot error path).
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message)
    Error.stackTraceLimit = limit
    this.name = 'ApiError'
    this.statusCode = statusCode
    this.code = code
    this.gateway = gateway
  }
}

/** The error body, the only place it is written: gateway errors also carry the request id. */
export function errorBody (error: ApiError, requestId: string) {
  return error.gateway
    ? { error_code: error.code, error_msg: error.message, request_id: requestId }
    : { error_code: error.code, error_msg: error.message }
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
  new ApiError(400, '12000107', `Invalid project ID: ${shorten(projectId)}.`)
export const operationNotSupported = (message: string) => new ApiError(400, '12000054', message)
export const syncInProgress = (clusterId: string) => new ApiError(500, '12000154',
  `IAM synchronization is in progress and cannot be triggered again in the same cluster. Cluster ID: ${clusterId}`)
export const iamGroupNotFound = (name: string) =>
  new ApiError(500, '12000156', `Failed to query Iam group: ${shorten(name)}`)
export const iamUserNotFound = (name: string) =>
  new ApiError(500, '12000157', `Failed to query Iam user or role: ${shorten(name)}`)

// The API gateway.
export const apiNotFound = () => new ApiError(404, 'APIGW.0101',
  'The API does not exist or has not been published in the environment.', true)
export const apiRequestError = () => new ApiError(400, 'APIGW.0201', 'API request error.', true)
export const requestTimeout = () => new ApiError(408, 'APIGW.0201', 'Request timeout.', true)
export const entityTooLarge = () => new ApiError(413, 'APIGW.0201', 'Request entity too large.', true)
export const headersTooLarge = () => new ApiError(431, 'APIGW.0201', 'Request header fields too large.', true)
export const authenticationFailed = (detail: string) =>
  new ApiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`, true)
export const accessDenied = () => new ApiError(403, 'APIGW.0306', 'API access denied.', true)

/** What a fault rule answers: its own status, code and message; an APIGW code gets the gateway's body. */
export const faultError = (status: number, code: string, message: string) =>
  new ApiError(status, code, message, code.startsWith('APIGW.'))

// The emulator itself (the control plane, and readiness on both planes).
export const controlInvalid = (message: string) => new ApiError(400, 'EMULATOR.0400', message)
export const adminTokenRequired = () =>
  new ApiError(401, 'EMULATOR.0401', 'The control plane needs Authorization: Bearer <admin token>.')
export const controlForbidden = (message: string) => new ApiError(403, 'EMULATOR.0403', message)
export const controlInternal = (message: string) => new ApiError(500, 'EMULATOR.0500', message)
export const duplicateFault = (id: string) =>
  new ApiError(409, 'EMULATOR.0409', `A fault rule with id ${id} exists: delete it first, or choose another id.`)
export const controlNotFound = (message: string) => new ApiError(404, 'EMULATOR.0404', message)
export const controlTooLarge = () =>
  new ApiError(413, 'EMULATOR.0413', 'Request entity too large: the control plane takes bodies of at most 12 MiB.')
export const tooManyFaults = (max: number) =>
  new ApiError(409, 'EMULATOR.0409', `At most ${max} fault rules: delete some first.`)
export const notReady = () =>
  new ApiError(503, 'EMULATOR.0503', 'The emulator is not ready: it is starting or shutting down.')
