import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CONTROL_TAG } from './schemas.js'

export const openapiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/openapi.json', {
    schema: { operationId: 'EmulatorOpenApi', tags: [CONTROL_TAG], summary: 'This document: OpenAPI 3 of the emulated API and the control plane' }
  }, async () => await app.openapi())
}
