/**
 * Request headers that carry secrets, the one list of them: never written to a log line, and
 * kept as `[REDACTED]` in the request journal and its exports.
 */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'x-auth-token', 'x-security-token', 'cookie', 'proxy-authorization', 'x-subject-token']

/** Where IAM's bodies carry secrets, by operation: kept as `[REDACTED]` in the journal and its exports. */
export const SECRET_FIELDS: Readonly<Record<string, { request?: readonly string[][], response?: readonly string[][] }>> = {
  KeystoneCreateUserTokenByPassword: { request: [['auth', 'identity', 'password', 'user', 'password']] },
  CreateTemporaryAccessKeyByToken: {
    request: [['auth', 'identity', 'token', 'id']],
    response: [['credential', 'secret'], ['credential', 'securitytoken']]
  }
}

/** A copy of `value` with the field at each path (where there is one) as `[REDACTED]`; the rest shared. */
export function redactFields (value: unknown, paths: readonly string[][] | undefined): unknown {
  if (paths === undefined) return value
  let out = value
  for (const path of paths) out = redactPath(out, path, 0)
  return out
}

function redactPath (value: unknown, path: readonly string[], at: number): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const key = path[at]!
  if (!Object.hasOwn(value, key)) return value
  const field = (value as Record<string, unknown>)[key]
  return { ...value, [key]: at === path.length - 1 ? '[REDACTED]' : redactPath(field, path, at + 1) }
}
