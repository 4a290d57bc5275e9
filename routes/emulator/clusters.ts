import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { controlInvalid, controlNotFound } from '../../src/core/errors.js'
import { clusterProblem } from '../../src/core/fixtures.js'
import { ClusterBodySchema, FixtureClusterSchema } from '../../src/core/fixture-schema.js'
import { ClusterParamsSchema } from '../../src/core/api-schema.js'
import { ControlErrorSchema } from '../../src/core/control-schema.js'

const url = '/projects/:project_id/clusters/:cluster_id'

export const clusterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.emulator
  const missing = (p: string, c: string) => controlNotFound(`No cluster ${c} in project ${p}.`)

  app.put(url, {
    schema: {
      operationId: 'EmulatorPutCluster',
      summary: 'Create or replace a cluster (and its project, if absent)',
      params: ClusterParamsSchema,
      body: ClusterBodySchema,
      response: { 200: FixtureClusterSchema, 201: FixtureClusterSchema, 409: ControlErrorSchema }
    }
  }, async (request, reply) => {
    const { project_id: projectId, cluster_id: clusterId } = request.params
    const problem = clusterProblem(request.body)
    if (problem !== undefined) throw controlInvalid(`Invalid body: /${problem.path}: ${problem.reason}.`)
    const created = store.putCluster(projectId, clusterId, request.body)
    return reply.code(created ? 201 : 200).send({ cluster_id: clusterId, ...store.getCluster(projectId, clusterId)! })
  })

  app.get(url, {
    schema: {
      operationId: 'EmulatorGetCluster',
      summary: 'One cluster: state, synchronized names, running task',
      params: ClusterParamsSchema,
      response: { 200: FixtureClusterSchema }
    }
  }, async (request) => {
    const { project_id: projectId, cluster_id: clusterId } = request.params
    const cluster = store.getCluster(projectId, clusterId)
    if (cluster === undefined) throw missing(projectId, clusterId)
    return { cluster_id: clusterId, ...cluster }
  })

  app.delete(url, {
    schema: {
      operationId: 'EmulatorDeleteCluster',
      summary: 'Remove a cluster',
      params: ClusterParamsSchema,
      response: { 204: Type.Null() }
    }
  }, async (request, reply) => {
    const { project_id: projectId, cluster_id: clusterId } = request.params
    if (!store.deleteCluster(projectId, clusterId)) throw missing(projectId, clusterId)
    return reply.code(204).send(null)
  })
}
