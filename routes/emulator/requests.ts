import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { OPERATIONS } from '../../src/core/fault-schema.js'
import { CONTROL_TAG, controlErrors } from './schemas.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

const JournalEntrySchema = Type.Object({
  request_id: Type.String(),
  time: Type.String({ description: 'When the answer was sent (ISO 8601).' }),
  method: Type.String(),
  path: Type.String({ description: 'Path and query as received.' }),
  operation: Nullable(Type.String()),
  project_id: Nullable(Type.String()),
  cluster_id: Nullable(Type.String()),
  status: Type.Integer({ description: '0 when a fault dropped the connection.' }),
  error_code: Nullable(Type.String()),
  headers: Type.Record(Type.String(), Type.String(), { description: 'Secret headers are [REDACTED].' }),
  body: Type.Unknown({ description: 'The JSON body; its text when not JSON; cut with a marker past 16 KiB; null when none.' })
})

export const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { journal } = app.emulator

  app.get('/_emulator/requests', {
    schema: {
      operationId: 'EmulatorListRequests',
      tags: [CONTROL_TAG],
      summary: 'The request journal, oldest first',
      querystring: Type.Object({
        operation: Type.Optional(Type.Union(OPERATIONS.map((name) => Type.Literal(name)))),
        cluster_id: Type.Optional(Type.String())
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ requests: Type.Array(JournalEntrySchema) }), ...controlErrors }
    }
  }, async (request) => ({ requests: journal.entries(request.query) }))

  app.delete('/_emulator/requests', {
    schema: {
      operationId: 'EmulatorClearRequests',
      tags: [CONTROL_TAG],
      summary: 'Empty the request journal',
      response: { 204: Type.Null(), ...controlErrors }
    }
  }, async (request, reply) => {
    journal.clear()
    return reply.code(204).send(null)
  })
}
