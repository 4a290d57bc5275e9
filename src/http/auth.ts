import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Authenticator } from '../core/auth.js'

/**
 * Runs the authenticator before validation: after the body is read (signatures need its
 * bytes) and before any path or body check, as the gateway does in front of the service.
 */
export function registerAuth (app: FastifyInstance, authenticate: Authenticator): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const error = authenticate({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.rawBody,
      projectId: (request.params as { project_id: string }).project_id
    })
    if (error !== undefined) throw error
  })
}
