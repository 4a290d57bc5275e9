import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ProjectIdSchema } from '../../src/core/api-schema.js'
import { ControlErrorSchema } from '../../src/core/control-schema.js'

/** Back to the fixtures: everything, or one project. */
export const resetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { emulator } = app

  app.post('/reset', {
    schema: {
      operationId: 'EmulatorReset',
      summary: 'Back to the fixtures: world and fixture faults restored; tasks, added faults and journal dropped; the clock back to real time (or to the fixture\'s `clock_offset_ms`). ' +
        'With project_id, that project only (its clusters, IAM directory, credentials, tasks, and the journal entries and fault rules that name it)',
      querystring: Type.Object({ project_id: Type.Optional(ProjectIdSchema) }, { additionalProperties: false, description: 'project_id: reset this project only; the others and the clock are untouched.' }),
      response: { 200: Type.Object({ status: Type.Literal('reset') }), 409: ControlErrorSchema }
    }
  }, async (request) => {
    const { store, fixture, faults, journal, clock } = emulator
    const projectId = request.query.project_id
    if (projectId === undefined) {
      store.replace(fixture)
      clock.restore(fixture.clock_offset_ms ?? 0)
    } else {
      store.resetProject(projectId, fixture)
    }
    // The rest is reset only once the world is written: a failed write changes nothing (the
    // world and the clock go back).
    await emulator.stateFile?.save()
    if (projectId === undefined) {
      faults.replace(fixture.faults ?? [])
      journal.clear()
    } else {
      faults.removeProject(projectId)
      faults.restoreProject(fixture.faults ?? [], projectId)
      journal.clear(projectId)
    }
    return { status: 'reset' as const }
  })
}
