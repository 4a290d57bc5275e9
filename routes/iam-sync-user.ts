import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import {
  BODY_OPTIONAL, CancelSyncRequestSchema, ClusterParamsSchema, Operation, SyncedNamesSchema, SyncStateResponseSchema, UpdateSyncRequestSchema,
  type SyncedNames
} from '../src/core/api-schema.js'

const url = '/v2/:project_id/clusters/:cluster_id/iam-sync-user'
/** The documented 202 body, serialised once. */
const ACCEPTED = '{"state":"synchronizing"}'
const accepted = (reply: FastifyReply) => {
  reply.request.sentBody = ACCEPTED
  reply.code(202).type('application/json; charset=utf-8').send(ACCEPTED as unknown as { state: string })
}

// The handlers are synchronous and send the reply themselves: an async handler costs a promise,
// a microtask and Fastify's thenable wrapper on every request. A thrown ApiError still reaches
// the error handler. Each notes the body it sends for the journal (`sentBody`, a reference):
// cheaper than an onSend hook on every request.
export const iamSyncUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.emulator

  app.delete(url, {
    config: { operation: Operation.CancelSyncIamUser },
    schema: {
      summary: 'Cancel synchronization of specified users and user groups',
      params: ClusterParamsSchema,
      body: CancelSyncRequestSchema,
      [BODY_OPTIONAL]: true,
      response: { 202: SyncStateResponseSchema }
    }
  }, (request, reply) => {
    store.cancel(request.params.project_id, request.params.cluster_id, request.body)
    accepted(reply)
  })

  app.post(url, {
    config: { operation: Operation.UpdateSyncIamUser },
    schema: {
      summary: 'Synchronize IAM users and user groups to the cluster',
      params: ClusterParamsSchema,
      body: UpdateSyncRequestSchema,
      [BODY_OPTIONAL]: true,
      response: { 202: SyncStateResponseSchema }
    }
  }, (request, reply) => {
    store.sync(request.params.project_id, request.params.cluster_id, request.body)
    accepted(reply)
  })

  app.get(url, {
    config: { operation: Operation.ShowSyncIamUser },
    schema: {
      summary: 'Query the users and user groups synchronized to the cluster',
      params: ClusterParamsSchema,
      response: { 200: SyncedNamesSchema }
    }
  }, (request, reply) => {
    // Already serialised by the store (cached per cluster): sent as is, in the schema's shape.
    const json = store.showJson(request.params.project_id, request.params.cluster_id)
    request.sentBody = json
    reply.type('application/json; charset=utf-8').send(json as unknown as SyncedNames)
  })
}
