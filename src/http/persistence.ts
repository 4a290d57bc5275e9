import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { StateFile } from '../core/state-file.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Whether this request's answer has waited for the state file already. */
    stateWaited: boolean
  }
}

/**
 * No answer says more than the state file holds: while a change is not yet written, every
 * answer waits for the write (the change's own, and any answer that may have seen it), and a
 * failed write fails them all, the world rolled back (see StateFile; the error handler logs it). Requests sent while
 * nothing is pending never wait. Once per request: the error answer a failed write leads to
 * passes here too.
 */
export function registerPersistence (app: FastifyInstance, stateFile: StateFile): void {
  app.decorateRequest('stateWaited', false)
  app.addHook('onSend', async (request: FastifyRequest) => {
    if (!stateFile.dirty || request.stateWaited) return
    request.stateWaited = true
    await stateFile.save()
  })
  app.addHook('onClose', async (instance) => {
    // Every change is written before it is answered; this is for one still in flight.
    try {
      await stateFile.save()
    } catch (err) {
      instance.log.error({ err, file: stateFile.file }, 'the state file could not be written at close')
    }
  })
}
