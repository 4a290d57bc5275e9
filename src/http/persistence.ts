import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorBody } from '../core/errors.js'
import type { StateFile, StateFileError } from '../core/state-file.js'
import { logOnce, type PlaneErrors } from './errors.js'
import { sentHeaders } from './internals.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Whether this request's answer has waited for the state file already. */
    stateWaited: boolean
  }
}

const KEPT_HEADERS = new Set(['x-request-id', 'x-iam-trace-id', 'connection'])

/**
 * No answer says more than the state file holds: while a change is not yet written, every
 * answer waits for the write (the change's own, and any answer that may have seen it), and a
 * failed write fails them all, the world rolled back (see StateFile). The answer then becomes
 * the plane's 500, whatever it was going to be (an error answer too: it may have been decided
 * on the change that was not kept). Requests sent while nothing is pending never wait.
 *
 * Each plane registers it before the step that records what was sent, so that the record
 * holds the 500.
 */
export function registerPersistence (app: FastifyInstance, stateFile: StateFile, planeErrors: PlaneErrors): void {
  app.decorateRequest('stateWaited', false)
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!stateFile.dirty || request.stateWaited) return payload
    request.stateWaited = true
    try {
      await stateFile.save()
      return payload
    } catch (err) {
      logOnce(request, err as StateFileError)
      const error = planeErrors(err as StateFileError & FastifyError, request)!
      request.errorCode = error.code
      // Nothing of the answer that was not kept goes out (an issued token's X-Subject-Token): only the ids.
      const headers = sentHeaders(reply)
      for (const name of Object.keys(headers)) if (!KEPT_HEADERS.has(name)) delete headers[name]
      reply.code(error.statusCode).header('content-type', 'application/json; charset=utf-8')
      const body = errorBody(error, request.id)
      request.sentBody = body
      return JSON.stringify(body)
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
