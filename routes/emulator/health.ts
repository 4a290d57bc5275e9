import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { controlNotFound, notReady } from '../../src/core/errors.js'
import { COMMIT, VERSION } from '../../src/package-info.js'
import { ControlErrorSchema } from '../../src/core/control-schema.js'

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { emulator } = app

  app.get('/health', {
    schema: {
      operationId: 'EmulatorHealth',
      summary: 'Liveness: always 200 while the process answers',
      response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), commit: Type.Union([Type.String(), Type.Null()], { description: 'The commit the build was made from; null when unknown.' }), uptime_s: Type.Number() }) }
    }
  }, async () => ({ status: 'ok' as const, version: VERSION, commit: COMMIT, uptime_s: Math.floor((emulator.clock.real() - emulator.startedAt) / 1000) }))

  app.get('/ca.pem', {
    schema: {
      operationId: 'EmulatorCa',
      summary: "The local CA's certificate (--tls auto), to trust: public material, no admin token; 404 EMULATOR.0404 with TLS off or --tls files",
      response: { 200: { content: { 'application/x-pem-file': { schema: Type.String() } } }, 404: ControlErrorSchema }
    }
  }, async (request, reply) => {
    const pem = emulator.tls?.caPem
    if (pem === undefined) {
      throw controlNotFound(emulator.tls === undefined
        ? 'TLS is off: with --tls auto the emulator makes a local CA and serves it here.'
        : 'With --tls files the certificate is your own: trust the CA that signed --tls-cert.')
    }
    return reply.type('application/x-pem-file').send(pem)
  })

  app.get('/ready', {
    schema: {
      operationId: 'EmulatorReady',
      summary: 'Readiness: 200 once the world is loaded; 503 EMULATOR.0503 before that and while shutting down',
      response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: ControlErrorSchema }
    }
  }, async (request, reply) => {
    if (emulator.ready) return { status: 'ready' as const }
    reply.header('retry-after', '1').header('connection', 'close')
    throw notReady()
  })
}
