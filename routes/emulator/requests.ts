import type { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ProjectIdSchema } from '../../src/core/api-schema.js'
import { tooManyReads, tooManyWaiting } from '../../src/core/errors.js'
import { harEntry, harHead } from '../../src/core/har.js'
import { JournalEntrySchema, JournalFilterSchema, MAX_WAIT_MS, type JournalCursor, type JournalFilter } from '../../src/core/journal.js'
import { LIMITS } from '../../src/core/limits.js'
import { retryLater } from '../../src/http/errors.js'
import { jsonStream } from '../../src/http/json-stream.js'
import { VERSION } from '../../src/package-info.js'

/** The journal's filters as query parameters, and how long to wait for a match. */
const FilterQuery = Type.Composite([JournalFilterSchema, Type.Object({
  wait_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_MS, description: 'When nothing matches yet, wait up to this long for a matching request to be answered.' }))
})], { additionalProperties: false })
type Query = JournalFilter & { wait_ms?: number }

export const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { journal, waiting } = app.emulator

  /**
   * A read of the filter's matches, after waiting for one when asked to and none is there yet
   * (in one of the places to wait: 429 when none is free); undefined when the client went away
   * meanwhile.
   */
  const query = async (request: FastifyRequest, reply: FastifyReply): Promise<JournalCursor | undefined> => {
    const { wait_ms: waitMs, ...filter } = request.query as Query
    if (filter.method !== undefined) filter.method = filter.method.toUpperCase()
    // A journal of size 0 records nothing: nothing to wait for.
    if (waitMs !== undefined && waitMs > 0 && journal.enabled && journal.count(filter) === 0) {
      const place = waiting.enter(request.raw.socket)
      if (place === undefined) throw retryLater(reply, tooManyWaiting())
      await journal.waitFor(filter, waitMs, place.gone)
      place.leave()
      if (place.gone.aborted) return undefined
    }
    return journal.cursor(filter)
  }

  /**
   * Sends a read as it is taken, entry by entry (see jsonStream): at most LIMITS.journalReads at
   * once; a reader that takes nothing for LIMITS.stall is cut off (connections.ts).
   */
  let reading = 0
  const send = (reply: FastifyReply, found: JournalCursor | undefined, write: (found: JournalCursor) => Readable) => {
    if (found === undefined) return reply.hijack()
    if (reading >= LIMITS.journalReads.value) throw retryLater(reply, tooManyReads())
    reading++
    reply.raw.once('close', () => { reading-- })
    return reply.type('application/json; charset=utf-8').send(write(found))
  }

  app.get('/requests', {
    schema: {
      operationId: 'EmulatorListRequests',
      summary: 'The request journal, oldest first, filtered; count is the number of matches before limit',
      querystring: FilterQuery,
      response: { 200: Type.Object({ count: Type.Integer(), requests: Type.Array(JournalEntrySchema) }) }
    }
  }, async (request, reply) => send(reply, await query(request, reply), (found) =>
    jsonStream(`{"count":${found.count},"requests":[`, () => {
      const entry = found.next()
      return entry === undefined ? undefined : JSON.stringify(entry)
    }, ']}')))

  app.get('/requests.har', {
    schema: {
      operationId: 'EmulatorExportRequests',
      summary: 'The request journal as an HTTP Archive (HAR 1.2), with the same filters',
      querystring: FilterQuery,
      response: { 200: Type.Object({ log: Type.Unknown({ description: 'HAR 1.2 log' }) }) }
    }
  }, async (request, reply) => {
    const found = await query(request, reply)
    reply.header('content-disposition', 'attachment; filename="mrs-emulator.har"')
    return send(reply, found, (found) => {
      const [head, tail] = harHead(VERSION)
      return jsonStream(head, () => {
        const entry = found.next()
        return entry === undefined ? undefined : JSON.stringify(harEntry(entry))
      }, tail)
    })
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
