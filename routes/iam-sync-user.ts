import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  API_TAG, CancelSyncRequestSchema, ClusterParamsSchema, errorResponses, SyncedNamesResponseSchema,
  SyncStateResponseSchema, UpdateSyncRequestSchema
} from './iam-sync-schemas.js'

const url = '/v2/:project_id/clusters/:cluster_id/iam-sync-user'
const accepted = { state: 'synchronizing' }

export const iamSyncUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.emulator

  app.delete(url, {
    config: { operation: 'CancelSyncIamUser' },
    schema: {
      operationId: 'CancelSyncIamUser',
      tags: [API_TAG],
      summary: 'Cancel synchronization of specified users and user groups',
      params: ClusterParamsSchema,
      body: CancelSyncRequestSchema,
      response: { 202: SyncStateResponseSchema, ...errorResponses }
    }
  }, async (request, reply) => {
    store.cancel(request.params.project_id, request.params.cluster_id, request.body)
    return reply.code(202).send(accepted)
  })

  app.post(url, {
    config: { operation: 'UpdateSyncIamUser' },
    schema: {
      operationId: 'UpdateSyncIamUser',
      tags: [API_TAG],
      summary: 'Synchronize IAM users and user groups to the cluster',
      params: ClusterParamsSchema,
      body: UpdateSyncRequestSchema,
      response: { 202: SyncStateResponseSchema, ...errorResponses }
    }
  }, async (request, reply) => {
    store.sync(request.params.project_id, request.params.cluster_id, request.body)
    return reply.code(202).send(accepted)
  })

  app.get(url, {
    config: { operation: 'ShowSyncIamUser' },
    schema: {
      operationId: 'ShowSyncIamUser',
      tags: [API_TAG],
      summary: 'Query the users and user groups synchronized to the cluster',
      params: ClusterParamsSchema,
      response: { 200: SyncedNamesResponseSchema, ...errorResponses }
    }
  }, async (request) => store.show(request.params.project_id, request.params.cluster_id))
}
