import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Authenticator, AuthRequest } from '../core/auth.js'
import { entityTooLarge } from '../core/errors.js'

/**
 * Fastify never reads a GET body, but the SDKs sign one if they send it: read it here, within
 * the same limit as other bodies.
 */
async function readBody (raw: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of raw) {
    size += (chunk as Buffer).length
    if (size > limit) throw entityTooLarge()
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

const hasBody = (request: FastifyRequest) => request.rawBody === undefined &&
  (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0)

const authRequest = (request: FastifyRequest): AuthRequest => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  body: request.rawBody,
  projectId: (request.params as { project_id: string }).project_id
})

/**
 * An authenticator that verifies signatures runs before validation: after the body is read
 * (signatures need its bytes) and before any path or body check, as the gateway does.
 */
export function registerSignedAuth (app: FastifyInstance, authenticate: Authenticator): void {
  app.addHook('preValidation', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (!hasBody(request)) {
      done(authenticate(authRequest(request)))
      return
    }
    readBody(request.raw, app.initialConfig.bodyLimit!).then((body) => {
      request.rawBody = body
      done(authenticate(authRequest(request)))
    }, done)
  })
}
