import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

export const openapiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/openapi.json', {
    schema: { operationId: 'EmulatorOpenApi', summary: 'This document: OpenAPI 3 of the emulated API and the control plane' }
  }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(await app.openapi()))
}
