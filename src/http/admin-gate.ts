import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { adminTokenRequired } from '../core/errors.js'
import { notReadyAnswer } from './errors.js'

/**
 * The control plane's gate before every route but the probes: readiness (503 `EMULATOR.0503`
 * while starting or closing), then, when one is set, the admin token (401 `EMULATOR.0401`):
 * `Authorization: Bearer <token>`, the scheme in any case (RFC 9110), the token compared in
 * constant time.
 */
export function adminGate (adminToken: string | undefined, ready: () => boolean) {
  const expected = adminToken === undefined ? undefined : Buffer.from(adminToken)
  return function gate (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    if (!ready()) {
      done(notReadyAnswer(reply))
      return
    }
    if (expected === undefined) {
      done()
      return
    }
    const match = /^bearer +(.+)$/i.exec(request.headers.authorization ?? '')
    const given = Buffer.from(match?.[1] ?? '')
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      done()
      return
    }
    reply.header('www-authenticate', 'Bearer')
    done(adminTokenRequired())
  }
}
