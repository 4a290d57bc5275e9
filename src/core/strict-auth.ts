import type { Authenticator, AuthRequest, SignedAuthorization } from './auth.js'
import { parseAuthorization } from './auth.js'
import { ApiError, authenticationFailed, invalidProjectId, shorten } from './errors.js'
import type { FixtureCredential } from './fixture-schema.js'
import { canonicalRequest, sameSignature, signatureOf, type SigningKey } from './signature.js'

/** How far X-Sdk-Date may be from the server's clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000

const accessDenied = () => new ApiError(403, 'APIGW.0306', 'API access denied.', true)
const signatureFailed = (reason: string) => authenticationFailed(`verify aksk signature fail, ${reason}`)

interface KeyPair { secretKey: string, securityToken?: string, projectId: string }

/** `20191115T033655Z` → ms since the epoch; NaN when malformed. */
export function parseSdkDate (value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (m === null) return Number.NaN
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number]
  const time = Date.UTC(y, mo - 1, d, h, mi, s)
  // Date.UTC rolls over (month 13, second 61): such a date is malformed.
  return new Date(time).toISOString().replace(/[-:]|\.\d+/g, '') === value ? time : Number.NaN
}

/**
 * Strict mode: tokens and AK/SK pairs from the world's credentials, signatures verified
 * over the request as received, each credential bound to one project.
 */
export function strictAuthenticator (credentials: () => readonly FixtureCredential[], now: () => number): Authenticator {
  let indexed: readonly FixtureCredential[] | undefined
  const tokens = new Map<string, string>()
  const keys = new Map<string, KeyPair>()
  /** Indexes the credentials again whenever the world (and so its credential list) is replaced. */
  function index (): void {
    const current = credentials()
    if (current === indexed) return
    indexed = current
    tokens.clear()
    keys.clear()
    for (const credential of current) {
      if ('token' in credential) tokens.set(credential.token, credential.project_id)
      else keys.set(credential.access_key, { secretKey: credential.secret_key, securityToken: credential.security_token, projectId: credential.project_id })
    }
  }

  function signed (request: AuthRequest, authorization: SignedAuthorization): ApiError | string {
    const date = request.headers['x-sdk-date']
    if (typeof date !== 'string') return signatureFailed('X-Sdk-Date not found')
    if (!authorization.signedHeaders.includes('x-sdk-date')) return signatureFailed('x-sdk-date is not a signed header')
    const time = parseSdkDate(date)
    if (Number.isNaN(time)) return signatureFailed(`X-Sdk-Date ${shorten(date)} is not YYYYMMDDTHHMMSSZ`)
    if (Math.abs(now() - time) > MAX_CLOCK_SKEW_MS) {
      return signatureFailed(`X-Sdk-Date ${date} is more than 15 minutes from the server time ${new Date(now()).toISOString()}`)
    }
    const [accessKey = '', ...scope] = authorization.credential.split('/')
    const pair = keys.get(accessKey)
    if (pair === undefined) return authenticationFailed(`ak ${shorten(accessKey)} not exist`)
    const key: SigningKey = { algorithm: authorization.algorithm, accessKey, secretKey: pair.secretKey, date }
    if (authorization.algorithm === 'V11-HMAC-SHA256') {
      if (scope.length !== 3 || scope[0] !== date.slice(0, 8)) {
        return signatureFailed('the credential scope must be <X-Sdk-Date day>/<region>/<service>')
      }
      key.scope = scope.join('/')
    }
    const token = request.headers['x-security-token']
    if (pair.securityToken !== undefined || token !== undefined) {
      if (token !== pair.securityToken) return signatureFailed('X-Security-Token does not belong to this AK')
      if (!authorization.signedHeaders.includes('x-security-token')) return signatureFailed('x-security-token is not a signed header')
    }
    const canonical = canonicalRequest(request, authorization.signedHeaders)
    if (canonical === undefined) return signatureFailed('a signed header is missing from the request')
    if (!sameSignature(signatureOf(canonical, key), authorization.signature)) return signatureFailed('the signature does not match')
    return pair.projectId
  }

  return (request) => {
    index()
    let projectId: string | ApiError
    const token = request.headers['x-auth-token']
    const authorization = request.headers.authorization
    if (typeof token === 'string') {
      projectId = tokens.get(token) ?? authenticationFailed('decrypt token fail')
    } else if (authorization !== undefined) {
      const parsed = parseAuthorization(authorization)
      projectId = parsed === undefined ? signatureFailed('the Authorization header is malformed') : signed(request, parsed)
    } else {
      projectId = authenticationFailed('x-auth-token not found')
    }
    if (projectId instanceof ApiError) return projectId
    if (projectId !== request.projectId) return accessDenied()
    const header = request.headers['x-project-id']
    if (header !== undefined && header !== request.projectId) return invalidProjectId(String(header))
    return undefined
  }
}
