import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { controlInvalid } from '../../src/core/errors.js'
import { FixtureSchema, type Fixture } from '../../src/core/fixture-schema.js'
import { FixtureError, validateFixture } from '../../src/core/fixtures.js'

/** The whole world: read it, or replace it. */
export const stateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { emulator } = app

  app.get('/state', {
    schema: {
      operationId: 'EmulatorGetState',
      summary: 'The whole world, in the fixture format',
      response: { 200: FixtureSchema }
    }
  }, async (_request, reply) =>
    // Already serialised by the store (made once per change): sent as is, in the schema's shape.
    reply.type('application/json; charset=utf-8').send(emulator.store.dumpJson() as unknown as Fixture))

  app.put('/state', {
    schema: {
      operationId: 'EmulatorPutState',
      summary: 'Replace the whole world (and the fault rules, when `faults` is given)',
      body: FixtureSchema,
      response: { 200: FixtureSchema }
    }
  }, async (request) => {
    try {
      validateFixture(request.body, 'body')
    } catch (err) {
      throw controlInvalid(`Invalid body: ${(err as FixtureError).detail}.`)
    }
    emulator.store.replace(request.body)
    if (request.body.clock_offset_ms !== undefined) emulator.clock.restore(request.body.clock_offset_ms)
    // The faults change only once the world is written: a failed write changes nothing (the
    // world and the clock go back).
    await emulator.stateFile?.save()
    if (request.body.faults !== undefined) emulator.faults.replace(request.body.faults)
    return emulator.store.dump()
  })
}
