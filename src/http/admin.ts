import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { emulatorError } from '../core/errors.js'

/** With an admin token set, control-plane routes need `Authorization: Bearer <token>`, compared in constant time. */
export function registerAdminToken (app: FastifyInstance, token: string): void {
  const expected = Buffer.from(`Bearer ${token}`)
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    if (given.length === expected.length && timingSafeEqual(given, expected)) return
    reply.header('www-authenticate', 'Bearer')
    throw emulatorError(401, 'EMULATOR.0401', 'The control plane needs Authorization: Bearer <admin token>.')
  })
}
