import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ProjectIdSchema } from '../../src/core/api-schema.js'
import { toHar } from '../../src/core/har.js'
import { JournalEntrySchema, JournalFilterSchema, MAX_WAIT_MS, type JournalFilter } from '../../src/core/journal.js'
import { VERSION } from '../../src/package-info.js'

/** The journal's filters as query parameters, and how long to wait for a match. */
const FilterQuery = Type.Composite([JournalFilterSchema, Type.Object({
  wait_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_MS, description: 'When nothing matches yet, wait up to this long for a matching request to be answered.' }))
})], { additionalProperties: false })

export const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { journal } = app.emulator

  /** The filter's matches, after waiting for one when asked to and none is there yet. */
  const query = async ({ wait_ms: waitMs, ...filter }: JournalFilter & { wait_ms?: number }) => {
    if (filter.method !== undefined) filter.method = filter.method.toUpperCase()
    // A journal of size 0 records nothing: nothing to wait for.
    if (waitMs !== undefined && waitMs > 0 && journal.enabled && journal.find(filter).count === 0) await journal.waitFor(filter, waitMs)
    return journal.entries(filter)
  }

  app.get('/requests', {
    schema: {
      operationId: 'EmulatorListRequests',
      summary: 'The request journal, oldest first, filtered; count is the number of matches before limit',
      querystring: FilterQuery,
      response: { 200: Type.Object({ count: Type.Integer(), requests: Type.Array(JournalEntrySchema) }) }
    }
  }, async (request) => await query(request.query))

  app.get('/requests.har', {
    schema: {
      operationId: 'EmulatorExportRequests',
      summary: 'The request journal as an HTTP Archive (HAR 1.2), with the same filters',
      querystring: FilterQuery,
      response: { 200: Type.Object({ log: Type.Unknown({ description: 'HAR 1.2 log' }) }) }
    }
  }, async (request, reply) => {
    const { requests } = await query(request.query)
    return reply.header('content-disposition', 'attachment; filename="mrs-emulator.har"').send(toHar(requests, VERSION))
  })

  app.delete('/requests', {
    schema: {
      operationId: 'EmulatorClearRequests',
      summary: 'Empty the request journal, or drop one project\'s entries',
      querystring: Type.Object({ project_id: Type.Optional(ProjectIdSchema) }, { additionalProperties: false }),
      response: { 204: Type.Null() }
    }
  }, async (request, reply) => {
    journal.clear(request.query.project_id)
    return reply.code(204).send(null)
  })
}
