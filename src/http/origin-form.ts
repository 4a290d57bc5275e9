import type { IncomingMessage } from 'node:http'

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/

/**
 * Fastify's `rewriteUrl`: an absolute-form request target (`DELETE http://host:port/v2/…`, RFC
 * 9112 §3.2.2, what a client sends through a proxy) is the same request as its origin form:
 * the same route, plane, authentication, faults and journal. As the RFC asks, its authority
 * replaces the `Host` header. Any other target is left as it is (it routes to a 404).
 */
export function originForm (request: IncomingMessage): string {
  const url = request.url!
  if (url.charCodeAt(0) === 0x2f) return url
  const match = ABSOLUTE_FORM.exec(url)
  if (match === null) return url
  request.headers.host = match[1]
  const rest = url.slice(match[0].length)
  return rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`
}
