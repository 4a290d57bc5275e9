import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { StateFile, StateFileError } from '../core/state-file.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Whether this request's answer has waited for the state file already. */
    stateWaited: boolean
  }
}

/**
 * No answer says more than the state file holds: while a change is not yet written, every
 * answer waits for the write (the change's own, and any answer that may have seen it), and a
 * failed write fails them all, the world rolled back (see StateFile). Requests sent while
 * nothing is pending never wait. Once per request: the error answer a failed write leads to
 * passes here too.
 */
export function registerPersistence (app: FastifyInstance, stateFile: StateFile): void {
  app.decorateRequest('stateWaited', false)
  app.addHook('onSend', async (request: FastifyRequest) => {
    if (!stateFile.dirty || request.stateWaited) return
    request.stateWaited = true
    try {
      await stateFile.save()
    } catch (err) {
      logOnce(request, err as StateFileError)
      throw err
    }
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

/** The requests of one grouped write share its error: the log says it once. */
function logOnce (request: FastifyRequest, err: StateFileError): void {
  if (err.logged) return
  err.logged = true
  request.log.error({ reqId: request.id, err, file: err.file }, 'the state file could not be written: the changes waiting for it were not kept')
}
