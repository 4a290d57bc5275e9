import type { IncomingMessage } from 'node:http'
import type { FastifyRequest } from 'fastify'

/**
 * Step 1's share of both planes, once the router has picked the plane: an absolute-form target
 * taken as its origin form, and the `Host` that HTTP/1.1 requires (Node's own check would
 * answer an empty 400; each plane answers its own body). False: no `Host`.
 */
export function httpStep (request: FastifyRequest): boolean {
  const raw = request.raw
  toOriginForm(raw)
  return raw.headers.host !== undefined || raw.httpVersionMajor !== 1 || raw.httpVersionMinor !== 1
}

const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)/i

/**
 * An absolute-form request target (`DELETE http://host:port/v2/…`, RFC 9112 §3.2.2, what a
 * client sends through a proxy) is the same request as its origin form. Fastify's router
 * already routes it as its path (to the same plane and route); this makes the request itself
 * the origin-form one, so that the signature, the log and the journal see the path, and, as
 * the RFC asks, the target's authority replaces `Host`. A plain string check first: it runs on
 * every request, and the hot path is the origin form.
 */
function toOriginForm (raw: IncomingMessage): void {
  const url = raw.url!
  if (url.charCodeAt(0) === 0x2f) return
  const match = ABSOLUTE_FORM.exec(url)
  if (match === null) return // `*`, or a target the router has already refused
  raw.headers.host = match[1]
  const rest = url.slice(match[0].length)
  raw.url = rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`
}
