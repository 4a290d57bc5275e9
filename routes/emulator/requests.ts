import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { OperationSchema } from '../../src/core/api-schema.js'
import { JournalEntrySchema } from '../../src/core/journal.js'
import { CONTROL_TAG, controlErrors } from './schemas.js'

export const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { journal } = app.emulator

  app.get('/requests', {
    schema: {
      operationId: 'EmulatorListRequests',
      tags: [CONTROL_TAG],
      summary: 'The request journal, oldest first',
      querystring: Type.Object({
        operation: Type.Optional(OperationSchema),
        cluster_id: Type.Optional(Type.String())
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ requests: Type.Array(JournalEntrySchema) }), ...controlErrors }
    }
  }, async (request) => ({ requests: journal.entries(request.query) }))

  app.delete('/requests', {
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
