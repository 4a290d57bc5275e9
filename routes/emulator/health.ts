import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { VERSION } from '../../src/package-info.js'
import { CONTROL_TAG } from './schemas.js'

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { emulator } = app

  app.get('/_emulator/health', {
    schema: {
      operationId: 'EmulatorHealth',
      tags: [CONTROL_TAG],
      summary: 'Liveness: always 200 while the process answers',
      response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), uptime_s: Type.Number() }) }
    }
  }, async () => ({ status: 'ok' as const, version: VERSION, uptime_s: Math.floor((emulator.now() - emulator.startedAt) / 1000) }))

  // Answers only when ready: otherwise the app's onRequest hook answers 503 EMULATOR.0503.
  app.get('/_emulator/ready', {
    schema: {
      operationId: 'EmulatorReady',
      tags: [CONTROL_TAG],
      summary: 'Readiness: 200 once the world is loaded; 503 EMULATOR.0503 before that and while shutting down',
      response: { 200: Type.Object({ status: Type.Literal('ready') }) }
    }
  }, async () => ({ status: 'ready' as const }))
}
