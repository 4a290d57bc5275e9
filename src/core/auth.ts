import type { IncomingHttpHeaders } from 'node:http'
import { ApiError, authenticationFailed, bearerHint, credentialsMissing } from './errors.js'
import type { SigningKey } from './signature.js'

/** How the emulator plays the API gateway: any well-formed credential, declared ones only, or none. */
export const AUTH_MODES = ['permissive', 'strict', 'off'] as const
export type AuthMode = typeof AUTH_MODES[number]

/** What authentication looks at before the body: the request line and headers. */
export interface HeaderRequest {
  method: string
  /** The path and query, in origin form. */
  url: string
  headers: IncomingHttpHeaders
  /** The project of the path; undefined on IAM's routes, which have none. */
  projectId: string | undefined
}

/** And once the body has been read: its exact bytes, if any. */
export interface AuthRequest extends HeaderRequest {
  body: Buffer | undefined
}

/** A signature whose headers passed: what is left to verify over the body. */
export interface PendingSignature {
  authorization: SignedAuthorization
  key: SigningKey
  /** The project the credential belongs to; undefined: the domain's. */
  projectId: string | undefined
}

/**
 * Authentication in the gateway's two steps. `headers` runs before a byte of the body is read
 * and answers an error, a signature still to verify, or undefined (nothing left to check);
 * `signature` runs once the body has been read.
 */
export interface Authenticator {
  headers (request: HeaderRequest): ApiError | PendingSignature | undefined
  signature (pending: PendingSignature, request: AuthRequest): ApiError | undefined
}

/** The parts of an `SDK-HMAC-SHA256` or `V11-HMAC-SHA256` Authorization header. */
export interface SignedAuthorization {
  algorithm: 'SDK-HMAC-SHA256' | 'V11-HMAC-SHA256'
  /** `Access` (SDK) or `Credential` (V11) */
  credential: string
  signedHeaders: readonly string[]
  signature: string
}

// Each scheme with its own credential field: `SDK-HMAC-SHA256 Credential=…` is malformed.
const AUTHORIZATION = /^(?:SDK-HMAC-SHA256 Access=([^,\s]+)|V11-HMAC-SHA256 Credential=([^,\s]+)), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/
const SDK_DATE = /^\d{8}T\d{6}Z$/

/**
 * The SignedHeaders list parsed last: a client signs the same headers on every request. Reused,
 * its names are looked up in the request's headers as the strings V8 has already matched to
 * the headers' own names, not searched for again in V8's string table on every request. Every
 * request with that list shares the array: it is read only. (Not frozen: a frozen array's
 * reads and iteration leave V8's fast paths, ~1k instructions a request.)
 */
let lastSigned = ''
let lastNames: readonly string[] = []

/** Parses an AK/SK Authorization header; undefined when it is not one the SDKs write. */
export function parseAuthorization (value: string): SignedAuthorization | undefined {
  const match = AUTHORIZATION.exec(value)
  if (match === null) return undefined
  const signedText = match[3]!
  if (signedText !== lastSigned) {
    lastNames = signedText.split(';')
    lastSigned = signedText
  }
  return {
    algorithm: match[1] === undefined ? 'V11-HMAC-SHA256' : 'SDK-HMAC-SHA256',
    credential: match[1] ?? match[2]!,
    signedHeaders: lastNames,
    signature: match[4]!
  }
}

/**
 * Permissive mode: the request must carry credentials of a real client's shape, an
 * `X-Auth-Token` or a well-formed AK/SK signature with its `X-Sdk-Date`; their values
 * are not checked. It looks at headers only.
 */
export function permissiveHeaders (headers: IncomingHttpHeaders): ApiError | undefined {
  const token = headers['x-auth-token']
  if (typeof token === 'string' && token !== '') return undefined
  const authorization = headers.authorization
  if (authorization === undefined) return credentialsMissing()
  if (parseAuthorization(authorization) === undefined) {
    return bearerHint(authenticationFailed('verify aksk signature fail, the Authorization header is malformed'), authorization)
  }
  const date = headers['x-sdk-date']
  if (typeof date !== 'string' || !SDK_DATE.test(date)) {
    return authenticationFailed('verify aksk signature fail, X-Sdk-Date is missing or malformed')
  }
  return undefined
}
