import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { adminTokenRequired, tooManyBodies } from '../core/errors.js'
import { announcesBody } from './body.js'
import type { BodyBudget } from './body-budget.js'
import { notReadyAnswer, retryLater } from './errors.js'

/**
 * The control plane's gate before every route but the probes: readiness (503 `EMULATOR.0503`
 * while starting or closing), then, when one is set, the admin token (401 `EMULATOR.0401`):
 * `Authorization: Bearer <token>`, the scheme in any case (RFC 9110), the token compared in
 * constant time; then, the caller known, its body's share of the bodies read at once (429
 * `EMULATOR.0429` when there is none).
 */
export function adminGate (adminToken: string | undefined, ready: () => boolean, bodies: BodyBudget) {
  const expected = adminToken === undefined ? undefined : Buffer.from(adminToken)
  const bodyShare = (request: FastifyRequest, reply: FastifyReply) =>
    announcesBody(request.raw) && !bodies.take(request.raw, reply.raw) ? retryLater(reply, tooManyBodies()) : undefined
  return function gate (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    if (!ready()) {
      done(notReadyAnswer(reply))
      return
    }
    if (expected === undefined) {
      done(bodyShare(request, reply))
      return
    }
    const match = /^bearer +(.+)$/i.exec(request.headers.authorization ?? '')
    const given = Buffer.from(match?.[1] ?? '')
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      done(bodyShare(request, reply))
      return
    }
    reply.header('www-authenticate', 'Bearer')
    done(adminTokenRequired())
  }
}
