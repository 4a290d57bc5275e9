/**
 * The errors the emulated API answers with. Service errors use the MRS codes of the
 * API reference ("Error Codes"); gateway errors use the APIGW codes of the API gateway
 * in front of every Huawei Cloud service, whose bodies also carry `request_id`.
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

/** Cuts a client-supplied value down to a size that is safe to put in a message or a log. */
export function shorten (value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value
}

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

export const apiNotFound = () => new ApiError(404, 'APIGW.0101',
  'The API does not exist or has not been published in the environment.', true)
export const apiRequestError = () => new ApiError(400, 'APIGW.0201', 'API request error.', true)
export const entityTooLarge = () => new ApiError(413, 'APIGW.0201', 'Request entity too large.', true)
export const authenticationFailed = (detail: string) =>
  new ApiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`, true)

/** Control-plane errors: the same body shape, with the emulator's own codes. */
export const emulatorError = (statusCode: number, code: string, message: string) => new ApiError(statusCode, code, message)
export const controlNotFound = (message: string) => emulatorError(404, 'EMULATOR.0404', message)
export const controlInvalid = (message: string) => emulatorError(400, 'EMULATOR.0400', message)
