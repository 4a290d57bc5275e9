import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  ApiError, apiNotFound, apiRequestError, controlInvalid, controlTooLarge, entityTooLarge, errorBody, headersTooLarge,
  controlInternal, iamError, iamInternal, internalError, invalidParameter, keystoneBodyInvalid, keystoneInternal, requestTimeout
} from '../core/errors.js'
import { StateFileError } from '../core/state-file.js'
import { newRequestId } from '../core/ids.js'
import { announcesBody } from './body.js'
import { lingerAfterAnswer, type LingerLimits } from './early-answers.js'
import { logOnce } from './persistence.js'
import { routeConfig } from './request-log.js'

export function sendError (reply: FastifyReply, error: ApiError): FastifyReply {
  const request = reply.request
  request.errorCode = error.code
  const body = errorBody(error, request.id)
  // For the journal: every error answer of the API plane passes here.
  request.sentBody = body
  return reply.code(error.statusCode).send(body)
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
      return face === 'keystone' ? keystoneBodyInvalid(MALFORMED_CONTENT_TYPE_IAM) : iamError(400, 'IAM.0011', `Request body is invalid. ${MALFORMED_CONTENT_TYPE}`)
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

/**
 * Runs `then` once every answer due on the socket before `own` (pipelined requests) has been
 * sent: before a client error's answer, or before a dropped request's connection is closed.
 */
export function afterDueResponses (socket: Socket, then: () => void, own?: ServerResponse): void {
  // The response Node is writing on this socket; later ones wait in its queue and take its
  // place when it emits 'finish' (Node's handler, registered first, moves the next one in).
  // Node's own client-error handling reads the same field. Whether it has finished is not
  // `writableFinished`: that turns true before Node has moved the next one in.
  const due = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
  // An incomplete request is the failing one: its answer is the error's (Fastify is still
  // waiting for its body, so nothing of its own has been written).
  if (due == null || due === own || !due.req.complete) {
    then()
  } else {
    let finished = false
    due.once('finish', () => {
      finished = true
      afterDueResponses(socket, then, own)
    })
    due.once('close', () => { if (!finished) socket.destroy() })
  }
}

/** Writes an answer on a socket that has no response object (a client error, a CONNECT), and ends it. */
export function answerOnSocket (socket: Socket, error: ApiError): void {
  const requestId = newRequestId()
  const body = JSON.stringify(errorBody(error, requestId))
  socket.end(`HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`)
}

/** CONNECT is no method of the API (Node would close the connection without a word). */
export function handleConnect (request: IncomingMessage, socket: Socket): void {
  socket.on('error', () => socket.destroy())
  answerOnSocket(socket, apiNotFound())
}

const clientErrorAnswered = new WeakSet<Socket>()

/**
 * Requests that never became HTTP requests (malformed, oversized headers, too slow) get the
 * gateway's error body, written on the socket since Fastify has no reply for them: after every
 * answer already due on the connection, and once per connection.
 */
export function handleClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  if (clientErrorAnswered.has(socket)) return
  clientErrorAnswered.add(socket)
  const error = err.code === 'HPE_HEADER_OVERFLOW'
    ? headersTooLarge()
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? requestTimeout() : apiRequestError()
  afterDueResponses(socket, () => {
    // An answer due before it said Connection: close.
    if (!socket.writable) {
      socket.destroy()
      return
    }
    answerOnSocket(socket, error)
  })
}
