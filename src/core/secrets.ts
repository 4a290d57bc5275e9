/**
 * Request headers that carry secrets, the one list of them: never written to a log line, and
 * kept as `[REDACTED]` in the request journal and its exports.
 */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'x-auth-token', 'x-security-token', 'cookie', 'proxy-authorization']
