import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { controlInvalid } from '../../src/core/errors.js'
import { FixtureSchema } from '../../src/core/fixture-schema.js'
import { FixtureError, validateFixture } from '../../src/core/fixtures.js'
import { CONTROL_TAG, controlErrors } from './schemas.js'

export const stateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { emulator } = app

  app.post('/reset', {
    schema: {
      operationId: 'EmulatorReset',
      tags: [CONTROL_TAG],
      summary: 'Back to the fixtures: world and fixture faults restored; tasks, added faults and journal dropped',
      response: { 200: Type.Object({ status: Type.Literal('reset') }), ...controlErrors }
    }
  }, async () => {
    emulator.store.replace(emulator.fixture)
    // The rest is reset only once the world is written: a failed write changes nothing.
    await emulator.stateFile?.save()
    emulator.faults.replace(emulator.fixture.faults ?? [])
    emulator.journal.clear()
    return { status: 'reset' as const }
  })

  app.get('/state', {
    schema: {
      operationId: 'EmulatorGetState',
      tags: [CONTROL_TAG],
      summary: 'The whole world, in the fixture format',
      response: { 200: FixtureSchema, ...controlErrors }
    }
  }, async () => emulator.store.dump())

  app.put('/state', {
    schema: {
      operationId: 'EmulatorPutState',
      tags: [CONTROL_TAG],
      summary: 'Replace the whole world (and the fault rules, when `faults` is given)',
      body: FixtureSchema,
      response: { 200: FixtureSchema, ...controlErrors }
    }
  }, async (request) => {
    try {
      validateFixture(request.body, 'body')
    } catch (err) {
      throw controlInvalid(`Invalid body: ${(err as FixtureError).detail}.`)
    }
    emulator.store.replace(request.body)
    // The faults change only once the world is written: a failed write changes nothing.
    await emulator.stateFile?.save()
    if (request.body.faults !== undefined) emulator.faults.replace(request.body.faults)
    return emulator.store.dump()
  })

  app.post('/tasks/complete', {
    schema: {
      operationId: 'EmulatorCompleteTasks',
      tags: [CONTROL_TAG],
      summary: 'Finish every running sync task now',
      response: { 200: Type.Object({ completed: Type.Integer() }), ...controlErrors }
    }
  }, async () => ({ completed: emulator.store.completeAll() }))
}
