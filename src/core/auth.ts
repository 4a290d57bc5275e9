import type { IncomingHttpHeaders } from 'node:http'
import { ApiError, authenticationFailed } from './errors.js'

/** What authentication looks at: the request as received. */
export interface AuthRequest {
  method: string
  /** The path and query as received. */
  url: string
  headers: IncomingHttpHeaders
  /** The exact body bytes received, if any. */
  body: Buffer | undefined
  /** The project of the path. */
  projectId: string
}

/** Answers the error to send, or undefined to let the request through. */
export type Authenticator = (request: AuthRequest) => ApiError | undefined

/** The parts of an `SDK-HMAC-SHA256` or `V11-HMAC-SHA256` Authorization header. */
export interface SignedAuthorization {
  algorithm: 'SDK-HMAC-SHA256' | 'V11-HMAC-SHA256'
  /** `Access` (SDK) or `Credential` (V11) */
  credential: string
  signedHeaders: string[]
  signature: string
}

const AUTHORIZATION = /^(SDK-HMAC-SHA256|V11-HMAC-SHA256) (?:Access|Credential)=([^,\s]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/
const SDK_DATE = /^\d{8}T\d{6}Z$/

/** Parses an AK/SK Authorization header; undefined when it is not one the SDKs write. */
export function parseAuthorization (value: string): SignedAuthorization | undefined {
  const match = AUTHORIZATION.exec(value)
  if (match === null) return undefined
  return {
    algorithm: match[1] as SignedAuthorization['algorithm'],
    credential: match[2]!,
    signedHeaders: match[3]!.split(';'),
    signature: match[4]!
  }
}

/**
 * Permissive mode: the request must carry credentials of a real client's shape, an
 * `X-Auth-Token` or a well-formed AK/SK signature with its `X-Sdk-Date`; their values
 * are not checked. It looks at headers only, so it runs before the body is read.
 */
export function permissiveHeaders (headers: IncomingHttpHeaders): ApiError | undefined {
  const token = headers['x-auth-token']
  if (typeof token === 'string' && token !== '') return undefined
  const authorization = headers.authorization
  if (authorization === undefined) return authenticationFailed('x-auth-token not found')
  if (parseAuthorization(authorization) === undefined) {
    return authenticationFailed('verify aksk signature fail, the Authorization header is malformed')
  }
  const date = headers['x-sdk-date']
  if (typeof date !== 'string' || !SDK_DATE.test(date)) {
    return authenticationFailed('verify aksk signature fail, X-Sdk-Date is missing or malformed')
  }
  return undefined
}

export const permissive: Authenticator = ({ headers }) => permissiveHeaders(headers)
