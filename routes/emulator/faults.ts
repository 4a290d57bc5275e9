import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { controlInvalid, controlNotFound, duplicateFault, tooManyFaults } from '../../src/core/errors.js'
import { faultRuleProblem, FaultRuleSchema, ListedFaultSchema } from '../../src/core/fault-schema.js'
import { MAX_FAULTS } from '../../src/core/faults.js'
import { ControlErrorSchema } from '../../src/core/control-schema.js'

export const faultRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { faults } = app.emulator

  app.post('/faults', {
    schema: {
      operationId: 'EmulatorAddFault',
      summary: 'Add a fault rule: an error answer, a delay or a dropped connection',
      body: FaultRuleSchema,
      response: { 201: ListedFaultSchema, 409: ControlErrorSchema }
    }
  }, async (request, reply) => {
    const problem = faultRuleProblem(request.body)
    if (problem !== undefined) throw controlInvalid(`Invalid body: /${problem.path}: ${problem.reason}.`)
    const rule = faults.add(request.body)
    if (rule === 'full') throw tooManyFaults(MAX_FAULTS)
    if (rule === 'duplicate') throw duplicateFault(request.body.id!)
    return reply.code(201).send({ ...rule, remaining: rule.times ?? null })
  })

  app.get('/faults', {
    schema: {
      operationId: 'EmulatorListFaults',
      summary: 'The fault rules, in the order they are tried',
      response: { 200: Type.Object({ faults: Type.Array(ListedFaultSchema) }) }
    }
  }, async () => ({ faults: faults.list() }))

  app.delete('/faults', {
    schema: {
      operationId: 'EmulatorClearFaults',
      summary: 'Remove every fault rule',
      response: { 204: Type.Null() }
    }
  }, async (request, reply) => {
    faults.replace([])
    return reply.code(204).send(null)
  })

  app.delete('/faults/:id', {
    schema: {
      operationId: 'EmulatorDeleteFault',
      summary: 'Remove one fault rule',
      params: Type.Object({ id: Type.String() }),
      response: { 204: Type.Null() }
    }
  }, async (request, reply) => {
    if (!faults.remove(request.params.id)) throw controlNotFound(`No fault rule ${request.params.id}.`)
    return reply.code(204).send(null)
  })
}
