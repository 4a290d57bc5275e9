import type { Authenticator, AuthRequest, HeaderRequest, PendingSignature, SignedAuthorization } from './auth.js'
import { parseAuthorization } from './auth.js'
import { accessDenied, ApiError, authenticationFailed, bearerHint, credentialExpired, credentialsMissing, invalidProjectId, shorten, tokenUnknown } from './errors.js'
import type { FixtureCredential } from './fixture-schema.js'
import { canonicalRequest, sameSignature, sha256Hex, signatureOf, type SigningKey } from './signature.js'
import { LIMITS, worded } from './limits.js'

/** How far X-Sdk-Date may be from the server's clock. */
export const MAX_CLOCK_SKEW_MS = LIMITS.sdkDateSkew.value

/** The value of `X-Sdk-Content-Sha256` that leaves the body out of the signature. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'

const signatureFailed = (reason: string) => authenticationFailed(`verify aksk signature fail, ${reason}`)

/** A credential's reach: its project (none: the domain's), and when it expires (ms; Infinity: never). */
interface Bound { projectId: string | undefined, expiresAt: number }
interface KeyPair extends Bound { secretKey: string, securityToken?: string }

const expiryOf = (credential: FixtureCredential) =>
  credential.expires_at === undefined ? Infinity : Date.parse(credential.expires_at)

/** The X-Sdk-Date parsed last: clients sign many requests within one second, with the same date. */
let lastDate = ''
let lastTime = Number.NaN

/** `20191115T033655Z` → ms since the epoch; NaN when malformed. */
export function parseSdkDate (value: string): number {
  if (value === lastDate) return lastTime
  lastTime = parseDate(value)
  lastDate = value
  return lastTime
}

function parseDate (value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (m === null) return Number.NaN
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number]
  const time = Date.UTC(y, mo - 1, d, h, mi, s)
  // Date.UTC rolls over (month 13, second 61): such a date is malformed.
  return new Date(time).toISOString().replace(/[-:]|\.\d+/g, '') === value ? time : Number.NaN
}

/**
 * The credential may act on the path's project only; an `X-Project-Id` must name it too. A
 * route without a project (IAM's) takes any credential of the domain.
 */
function projectCheck (request: HeaderRequest, projectId: string | undefined): ApiError | undefined {
  if (request.projectId === undefined) return undefined
  if (projectId !== request.projectId) return accessDenied()
  const header = request.headers['x-project-id']
  if (header !== undefined && header !== request.projectId) return invalidProjectId(String(header))
  return undefined
}

/**
 * Strict mode: tokens and AK/SK pairs from the world's credentials, signatures verified
 * over the request as received, each credential bound to one project. Everything the headers
 * can decide is decided before the body is read: a caller without a known credential is
 * answered without a byte of its body buffered.
 */
export function strictAuthenticator (credentials: () => readonly FixtureCredential[], now: () => number, emulatorNow = now): Authenticator {
  let indexed: readonly FixtureCredential[] | undefined
  const tokens = new Map<string, Bound>()
  const keys = new Map<string, KeyPair>()
  /** Indexes the credentials again whenever the world (and so its credential list) is replaced. */
  function index (): void {
    const current = credentials()
    if (current === indexed) return
    indexed = current
    tokens.clear()
    keys.clear()
    for (const credential of current) {
      // Issued in permissive or off mode for what strict mode refuses: unknown here.
      if (credential.unverified === true) continue
      const bound = { projectId: credential.project_id, expiresAt: expiryOf(credential) }
      if ('token' in credential) tokens.set(credential.token, bound)
      else keys.set(credential.access_key, { ...bound, secretKey: credential.secret_key, securityToken: credential.security_token })
    }
  }

  /** Date, key, scope, security token, signed headers and the payload hash's form: all but the signature itself. */
  function signedHeaders (request: HeaderRequest, authorization: SignedAuthorization): ApiError | PendingSignature {
    const { headers } = request
    const signed = authorization.signedHeaders
    const date = headers['x-sdk-date']
    if (typeof date !== 'string') return signatureFailed('X-Sdk-Date not found')
    if (!signed.includes('x-sdk-date')) return signatureFailed('x-sdk-date is not a signed header')
    const time = parseSdkDate(date)
    if (Number.isNaN(time)) return signatureFailed(`X-Sdk-Date ${shorten(date)} is not YYYYMMDDTHHMMSSZ`)
    if (Math.abs(now() - time) > MAX_CLOCK_SKEW_MS) {
      return signatureFailed(`X-Sdk-Date ${date} is more than ${worded(LIMITS.sdkDateSkew)} from the server time ${new Date(now()).toISOString()}`)
    }
    // `AK` (SDK-HMAC-SHA256) or `AK/<day>/<region>/<service>` (V11): split only when it has a scope.
    const { credential } = authorization
    const slash = credential.indexOf('/')
    const accessKey = slash === -1 ? credential : credential.slice(0, slash)
    const scope = slash === -1 ? [] : credential.slice(slash + 1).split('/')
    const pair = keys.get(accessKey)
    if (pair === undefined) return authenticationFailed(`ak ${shorten(accessKey)} not exist`)
    if (emulatorNow() >= pair.expiresAt) return credentialExpired(false)
    const key: SigningKey = { algorithm: authorization.algorithm, accessKey, secretKey: pair.secretKey, date }
    if (authorization.algorithm === 'V11-HMAC-SHA256') {
      if (scope.length !== 3 || scope[0] !== date.slice(0, 8)) {
        return signatureFailed('the credential scope must be <X-Sdk-Date day>/<region>/<service>')
      }
      key.scope = scope.join('/')
    }
    const token = headers['x-security-token']
    if (pair.securityToken !== undefined || token !== undefined) {
      if (token === undefined) return signatureFailed('X-Security-Token is missing: this AK is a temporary key, used with its security token')
      if (pair.securityToken === undefined) return signatureFailed('this AK is a permanent key: it takes no X-Security-Token')
      if (token !== pair.securityToken) return signatureFailed('X-Security-Token does not belong to this AK')
      if (!signed.includes('x-security-token')) return signatureFailed('x-security-token is not a signed header')
    }
    if (!signed.every((name) => headers[name] !== undefined)) return signatureFailed('a signed header is missing from the request')
    // The payload hash counts only when it is signed, and only as UNSIGNED-PAYLOAD or a SHA-256:
    // otherwise a captured request could be replayed with another body.
    const contentSha256 = headers['x-sdk-content-sha256']
    if (contentSha256 !== undefined) {
      if (!signed.includes('x-sdk-content-sha256')) return signatureFailed('x-sdk-content-sha256 is not a signed header')
      if (contentSha256 !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(contentSha256 as string)) {
        return signatureFailed('X-Sdk-Content-Sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body')
      }
    }
    return { authorization, key, projectId: pair.projectId }
  }

  return {
    headers (request) {
      index()
      const token = request.headers['x-auth-token']
      if (typeof token === 'string') {
        const bound = tokens.get(token)
        if (bound === undefined) return tokenUnknown()
        return emulatorNow() >= bound.expiresAt ? credentialExpired(true) : projectCheck(request, bound.projectId)
      }
      const authorization = request.headers.authorization
      if (authorization === undefined) return credentialsMissing()
      const parsed = parseAuthorization(authorization)
      return parsed === undefined ? bearerHint(signatureFailed('the Authorization header is malformed'), authorization) : signedHeaders(request, parsed)
    },

    signature ({ authorization, key, projectId }, request: AuthRequest) {
      const contentSha256 = request.headers['x-sdk-content-sha256']
      if (contentSha256 !== undefined && contentSha256 !== UNSIGNED_PAYLOAD && contentSha256 !== sha256Hex(request.body ?? '')) {
        return signatureFailed('X-Sdk-Content-Sha256 is not the SHA-256 of the body received')
      }
      const canonical = canonicalRequest(request, authorization.signedHeaders)!
      if (!sameSignature(signatureOf(canonical, key), authorization.signature)) return signatureFailed('the signature does not match')
      return projectCheck(request, projectId)
    }
  }
}
