import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Clock } from '../../src/core/clock.js'
import { controlInvalid } from '../../src/core/errors.js'
import { LIMITS, worded } from '../../src/core/limits.js'
import { ClusterIdSchema, ProjectIdSchema } from '../../src/core/api-schema.js'

/** The furthest one advance moves the clock. */
const MAX_ADVANCE_MS = LIMITS.clockAdvance.value
/** The furthest the clock gets ahead in all: far from the last date JavaScript can show. */
const MAX_OFFSET_MS = LIMITS.clockOffset.value

const ClockSchema = Type.Object({
  now: Type.String({ description: 'The emulator\'s time (ISO 8601).' }),
  offset_ms: Type.Integer({ description: 'How far it is ahead of the real clock; 0 after a reset.' })
})

const clockOf = (clock: Clock) => ({ now: new Date(clock.now()).toISOString(), offset_ms: clock.offsetMs })

/** Control of time: finish running sync tasks now, read the clock, move it forward. */
export const timeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { emulator } = app

  app.post('/tasks/complete', {
    schema: {
      operationId: 'EmulatorCompleteTasks',
      summary: 'Finish the running sync tasks now: every one, or those of a project or cluster',
      querystring: Type.Object({
        project_id: Type.Optional(ProjectIdSchema),
        cluster_id: Type.Optional(ClusterIdSchema)
      }, { additionalProperties: false, description: 'project_id: only this project\'s tasks; cluster_id: only this cluster\'s (in every project, unless project_id is given).' }),
      response: { 200: Type.Object({ completed: Type.Integer() }) }
    }
  }, async (request) => ({ completed: emulator.store.completeAll(request.query.project_id, request.query.cluster_id) }))

  app.get('/clock', {
    schema: {
      operationId: 'EmulatorGetClock',
      summary: 'The emulator\'s clock: its time, and how far it is ahead of the real one',
      response: { 200: ClockSchema }
    }
  }, async () => clockOf(emulator.clock))

  app.post('/clock', {
    schema: {
      operationId: 'EmulatorAdvanceClock',
      summary: 'Move the clock forward: sync tasks due by then finish, tokens expire by it, journal times follow it (signatures are still judged on the real clock)',
      body: Type.Object({ advance_ms: Type.Integer({ minimum: 0, maximum: MAX_ADVANCE_MS }) }, { additionalProperties: false }),
      response: { 200: ClockSchema }
    }
  }, async (request) => {
    if (emulator.clock.offsetMs + request.body.advance_ms > MAX_OFFSET_MS) {
      throw controlInvalid(`The clock moves at most ${MAX_OFFSET_MS} ms (${worded(LIMITS.clockOffset)}) ahead of real time in all; it is ${emulator.clock.offsetMs} ms ahead. A reset puts it back.`)
    }
    emulator.clock.advance(request.body.advance_ms)
    // The tasks now due finish at once, and are written to the state file with the clock's
    // offset, if there is one: when that write fails, the world and the clock go back.
    emulator.store.settleDue()
    await emulator.stateFile?.save()
    return clockOf(emulator.clock)
  })
}
