import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Clock } from '../../src/core/clock.js'
import { controlInvalid } from '../../src/core/errors.js'
import { ClusterIdSchema, FixtureSchema, ProjectIdSchema } from '../../src/core/fixture-schema.js'
import { FixtureError, validateFixture } from '../../src/core/fixtures.js'
import { CONTROL_TAG, ControlErrorSchema, controlErrors } from './schemas.js'

/** The furthest one advance moves the clock: a year. */
const MAX_ADVANCE_MS = 31_536_000_000
/** The furthest the clock gets ahead in all: 100 years, far from the last date JavaScript can show. */
const MAX_OFFSET_MS = 100 * MAX_ADVANCE_MS

const ClockSchema = Type.Object({
  now: Type.String({ description: 'The emulator\'s time (ISO 8601).' }),
  offset_ms: Type.Integer({ description: 'How far it is ahead of the real clock; 0 after a reset.' })
})

const clockOf = (clock: Clock) => ({ now: new Date(clock.now()).toISOString(), offset_ms: clock.offsetMs })

export const stateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { emulator } = app

  app.post('/reset', {
    schema: {
      operationId: 'EmulatorReset',
      tags: [CONTROL_TAG],
      summary: 'Back to the fixtures: world and fixture faults restored; tasks, added faults and journal dropped; the clock back to real time. ' +
        'With project_id, that project only (its clusters, IAM directory, credentials, tasks, and the journal entries and fault rules that name it)',
      querystring: Type.Object({ project_id: Type.Optional(ProjectIdSchema) }, { additionalProperties: false, description: 'project_id: reset this project only; the others and the clock are untouched.' }),
      response: { 200: Type.Object({ status: Type.Literal('reset') }), 409: ControlErrorSchema, ...controlErrors }
    }
  }, async (request) => {
    const { store, fixture, faults, journal, clock } = emulator
    const projectId = request.query.project_id
    if (projectId === undefined) store.replace(fixture)
    else store.resetProject(projectId, fixture)
    // The rest is reset only once the world is written: a failed write changes nothing.
    await emulator.stateFile?.save()
    if (projectId === undefined) {
      faults.replace(fixture.faults ?? [])
      journal.clear()
      clock.reset()
    } else {
      faults.removeProject(projectId)
      faults.restoreProject(fixture.faults ?? [], projectId)
      journal.clear(projectId)
    }
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
      summary: 'Finish the running sync tasks now: every one, or those of a project or cluster',
      querystring: Type.Object({
        project_id: Type.Optional(ProjectIdSchema),
        cluster_id: Type.Optional(ClusterIdSchema)
      }, { additionalProperties: false, description: 'project_id: only this project\'s tasks; cluster_id: only this cluster\'s (in every project, unless project_id is given).' }),
      response: { 200: Type.Object({ completed: Type.Integer() }), ...controlErrors }
    }
  }, async (request) => ({ completed: emulator.store.completeAll(request.query.project_id, request.query.cluster_id) }))

  app.get('/clock', {
    schema: {
      operationId: 'EmulatorGetClock',
      tags: [CONTROL_TAG],
      summary: 'The emulator\'s clock: its time, and how far it is ahead of the real one',
      response: { 200: ClockSchema, ...controlErrors }
    }
  }, async () => clockOf(emulator.clock))

  app.post('/clock', {
    schema: {
      operationId: 'EmulatorAdvanceClock',
      tags: [CONTROL_TAG],
      summary: 'Move the clock forward: sync tasks due by then finish, tokens expire by it, journal times follow it (signatures are still judged on the real clock)',
      body: Type.Object({ advance_ms: Type.Integer({ minimum: 0, maximum: MAX_ADVANCE_MS }) }, { additionalProperties: false }),
      response: { 200: ClockSchema, ...controlErrors }
    }
  }, async (request) => {
    if (emulator.clock.offsetMs + request.body.advance_ms > MAX_OFFSET_MS) {
      throw controlInvalid(`The clock moves at most ${MAX_OFFSET_MS} ms (100 years) ahead of real time in all; it is ${emulator.clock.offsetMs} ms ahead. A reset puts it back.`)
    }
    emulator.clock.advance(request.body.advance_ms)
    // The tasks now due finish at once (and are written to the state file, if any).
    emulator.store.settleDue()
    return clockOf(emulator.clock)
  })
}
