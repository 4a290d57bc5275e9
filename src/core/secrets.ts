/**
 * Request headers that carry secrets, the one list of them: never written to a log line, and
 * kept as `[REDACTED]` in the request journal and its exports.
 */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'x-auth-token', 'x-security-token', 'cookie', 'proxy-authorization', 'x-subject-token']

/** IAM's operations whose bodies carry secrets: a password, a token, a secret key. */
export const SECRET_BODIES: ReadonlySet<string> = new Set(['KeystoneCreateUserTokenByPassword', 'CreateTemporaryAccessKeyByToken'])

/** The keys whose values are secrets in those bodies, wherever they are (a mistyped body included). */
const SECRET_KEYS = new Set(['password', 'passcode', 'secret', 'securitytoken', 'security_token', 'secret_key'])

/**
 * A copy of such a body, as the journal shows it, with every secret as `[REDACTED]`: the value of
 * a secret key at any depth, and a token's `id`. A body that is not JSON (cut, malformed) may
 * hold one anywhere: it is not shown at all. Parsed bodies are at most JOURNAL_JSON_DEPTH deep.
 */
export function redactSecrets (value: unknown): unknown {
  return typeof value === 'string' ? '[REDACTED: a body that is not JSON]' : walk(value, undefined)
}

function walk (value: unknown, key: string | undefined): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((item) => walk(item, key))
  const out: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(value)) {
    // Keys in any case (a mistyped `Password`, `ID`). `identity.password` holds the password
    // method's block (the user, its name), walked; anything else there, like any other secret
    // key's value of whatever type, is the secret itself; so is a token given as a bare string.
    const lower = name.toLowerCase()
    const block = typeof field === 'object' && field !== null
    const secret = (SECRET_KEYS.has(lower) && !(lower === 'password' && key === 'identity' && block)) ||
      (lower === 'id' && key === 'token') || (lower === 'token' && !block)
    out[name] = secret ? '[REDACTED]' : walk(field, lower)
  }
  return out
}
