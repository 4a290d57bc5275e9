import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Authenticator } from '../core/auth.js'
import { entityTooLarge } from '../core/errors.js'
import { pathIds } from './api-gateway.js'
import { announcesBody, BODY_LIMIT, readBody } from './body.js'

/**
 * Step 6, strict mode: the AK/SK signature whose headers passed step 4, verified over the bytes
 * received. A GET's body, which Fastify never reads, is read here: the SDKs sign it if they send one.
 */
export function signatureStep (strict: Authenticator) {
  return function signature (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    const pending = request.signature
    if (pending === null) {
      done()
    } else if (request.rawBody === undefined && announcesBody(request.raw)) {
      readBody(request.raw, BODY_LIMIT).then((body) => {
        request.rawBody = body
        done(body === undefined ? entityTooLarge() : strict.signature(pending, signed(request)))
      }, done)
    } else {
      done(strict.signature(pending, signed(request)))
    }
  }
}

const signed = (request: FastifyRequest) => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  projectId: pathIds(request).project_id,
  body: request.rawBody
})
