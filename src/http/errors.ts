import type { IncomingMessage } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  ApiError, apiRequestError, controlInvalid, controlTooLarge, entityTooLarge, errorBody,
  controlInternal, iamBodyInvalid, iamInternal, internalError, invalidParameter, keystoneBodyInvalid, keystoneInternal, notReady
} from '../core/errors.js'
import { StateFileError } from '../core/state-file.js'
import { announcesBody } from './body.js'
import { lingerAfterAnswer, type LingerLimits } from './early-answers.js'
import { routeConfig } from './internals.js'

/** The hints of the error answers being sent, for their log lines (record.ts): no field a request. */
export const errorHints = new WeakMap<object, string>()

export function sendError (reply: FastifyReply, error: ApiError): FastifyReply {
  const request = reply.request
  request.errorCode = error.code
  if (error.hint !== undefined) errorHints.set(request, error.hint)
  // Serialised once, for the answer and the journal (every error answer of the API plane passes
  // here), in the type Fastify gives a JSON value.
  const text = JSON.stringify(errorBody(error, request.id))
  request.sentBody = text
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(text)
}

/**
 * How a plane names what Fastify, Node and the emulator throw: its own codes; undefined for the
 * unexpected, which the error handler logs and answers with `internal`.
 */
export interface PlaneErrors {
  (err: FastifyError, request: FastifyRequest): ApiError | undefined
  internal: (request: FastifyRequest) => ApiError
}

const MALFORMED_CONTENT_TYPE = 'The Content-Type header is malformed; send application/json.'
const MALFORMED_CONTENT_TYPE_IAM = 'the Content-Type header is malformed; send application/json'

/** The service's 500: MRS's, or IAM's on its routes. */
const apiInternal = (request: FastifyRequest) => {
  const face = routeConfig(request).iam
  return face === undefined ? internalError() : face === 'keystone' ? keystoneInternal() : iamInternal()
}

/** The emulated API: the gateway's codes, and the service's for the body. */
export const apiErrors: PlaneErrors = Object.assign((err: FastifyError, request: FastifyRequest) => {
  if (err instanceof ApiError) return err
  // The gateway's users are told no more than the service would; the log names the file.
  if (err instanceof StateFileError) return apiInternal(request)
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return entityTooLarge()
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const face = routeConfig(request).iam
      if (face === undefined) return invalidParameter(MALFORMED_CONTENT_TYPE)
      return face === 'keystone' ? keystoneBodyInvalid(MALFORMED_CONTENT_TYPE_IAM) : iamBodyInvalid(MALFORMED_CONTENT_TYPE)
    }
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return apiRequestError()
  return undefined
}, { internal: apiInternal })

/** The control plane: the emulator's own codes only. */
export const controlErrors: PlaneErrors = Object.assign((err: FastifyError) => {
  if (err instanceof ApiError) return err
  if (err instanceof StateFileError) return controlInternal(`The change was not kept: ${err.message}.`)
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return controlTooLarge()
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return controlInvalid(MALFORMED_CONTENT_TYPE)
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return controlInvalid(`Bad request: ${err.message}`)
  return undefined
}, { internal: () => controlInternal('Internal error: the emulator failed unexpectedly; its log says why.') })

/** Whether the request's body is still arriving: announced, and not yet all received. */
const bodyArriving = (raw: IncomingMessage) => !raw.complete && announcesBody(raw)

/**
 * A plane's error handler: every error as the documented body, in the plane's codes (anything
 * unexpected is logged and masked as 12000004). An answer sent while the body is still
 * arriving closes the connection the lingering way, so that the client sees it; other answers
 * keep the connection.
 */
export function errorHandler (limits: LingerLimits, toPlaneError: PlaneErrors) {
  return function handleError (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    if (bodyArriving(request.raw)) {
      reply.header('connection', 'close')
      lingerAfterAnswer(request.raw, limits)
    }
    if (err instanceof StateFileError) logOnce(request, err)
    const error = toPlaneError(err, request)
    if (error !== undefined) return sendError(reply, error)
    request.log.error({ reqId: request.id, err }, 'unexpected error')
    return sendError(reply, toPlaneError.internal(request))
  }
}

/** The 503 of either plane while starting or closing, with the headers that say come back. */
export function notReadyAnswer (reply: FastifyReply): ApiError {
  reply.header('retry-after', '1').header('connection', 'close')
  return notReady()
}

/** A 429 of the emulator's own bounds (places to wait, bodies, journal reads), with the header that says when to come back. */
export function retryLater (reply: FastifyReply, error: ApiError): ApiError {
  reply.header('retry-after', '1')
  return error
}

/** The requests of one grouped write share its error: the log says it once. */
export function logOnce (request: FastifyRequest, err: StateFileError): void {
  if (err.logged) return
  err.logged = true
  request.log.error({ reqId: request.id, err, file: err.file }, 'the state file could not be written: the changes waiting for it were not kept')
}
