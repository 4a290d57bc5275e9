import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ClusterParamsSchema, Operation } from '../src/core/api-schema.js'

export const iamSyncRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.emulator

  app.get('/v2/:project_id/clusters/:cluster_id/iam-sync', {
    config: { operation: Operation.ListSyncStatus },
    schema: {
      summary: 'Query whether an IAM synchronization task is running on the cluster',
      params: ClusterParamsSchema,
      response: { 200: Type.Object({ is_synchronizing: Type.Boolean() }) }
    }
  }, async (request) => (request.sentBody = { is_synchronizing: store.isSynchronizing(request.params.project_id, request.params.cluster_id) }))

  app.get('/v2/:project_id/clusters/:cluster_id/iam-sync/is-synchronous', {
    config: { operation: Operation.ListSyncRequirements },
    schema: {
      summary: 'Query whether the cluster has completed IAM synchronization',
      params: ClusterParamsSchema,
      response: { 200: Type.Object({ is_synchronous: Type.Boolean() }) }
    }
  }, async (request) => (request.sentBody = { is_synchronous: store.isSynchronous(request.params.project_id, request.params.cluster_id) }))
}
