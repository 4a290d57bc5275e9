import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { StateFile } from '../core/state-file.js'
import type { SyncStore } from '../core/sync-store.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The store's version when the handler started; -1 when no handler ran. */
    versionBefore: number
  }
}

/**
 * Writes the state file after a request that changed the world, before its response is
 * sent; requests that change nothing never wait for a write. The handlers run their store
 * calls synchronously, so a version change between preHandler and onSend is this request's.
 */
export function registerPersistence (app: FastifyInstance, store: SyncStore, stateFile: StateFile): void {
  app.decorateRequest('versionBefore', -1)
  app.addHook('preHandler', async (request: FastifyRequest) => {
    request.versionBefore = store.version
  })
  app.addHook('onSend', async (request: FastifyRequest) => {
    if (request.versionBefore === -1 || request.versionBefore === store.version) return
    // Once only: the error answer that a failed write leads to passes here too.
    request.versionBefore = store.version
    await stateFile.save()
  })
  app.addHook('onClose', async () => {
    if (stateFile.dirty) await stateFile.save()
  })
}
