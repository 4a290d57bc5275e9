import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  ApiError, apiRequestError, entityTooLarge, errorBody, headersTooLarge, internalError, invalidParameter, requestTimeout
} from '../core/errors.js'
import { newRequestId } from '../core/ids.js'
import { lingerAfterAnswer, type LingerLimits } from './early-answers.js'

export function sendError (reply: FastifyReply, error: ApiError): FastifyReply {
  reply.request.errorCode = error.code
  return reply.code(error.statusCode).send(errorBody(error, reply.request.id))
}

/** Maps what Fastify and Node throw onto the gateway's errors; anything else is masked as 12000004. */
function toApiError (err: FastifyError): ApiError | undefined {
  if (err instanceof ApiError) return err
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return entityTooLarge()
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return invalidParameter('The Content-Type header is malformed; send application/json.')
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return apiRequestError()
  return undefined
}

/**
 * A plane's error handler: every error as the documented body. An answer sent while the body
 * is still arriving closes the connection the lingering way, so that the client sees it.
 */
export function errorHandler (limits: LingerLimits) {
  return function handleError (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    if (!request.raw.complete) {
      reply.header('connection', 'close')
      lingerAfterAnswer(request.raw, limits)
    }
    const error = toApiError(err)
    if (error !== undefined) return sendError(reply, error)
    request.log.error({ reqId: request.id, err }, 'unexpected error')
    return sendError(reply, internalError())
  }
}

/** Answers that were due on the socket before the client error (pipelined requests) go first. */
function afterDueResponses (socket: Socket, then: () => void): void {
  // The response Node is writing on this socket; later ones wait in its queue and take its
  // place as each finishes. Node's own client-error handling reads the same field.
  const due = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
  // An incomplete request is the failing one: its answer is the error's (Fastify is still
  // waiting for its body, so nothing of its own has been written).
  if (due == null || due.writableFinished || !due.req.complete) {
    then()
  } else {
    due.once('finish', () => afterDueResponses(socket, then))
    due.once('close', () => { if (!due.writableFinished) socket.destroy() })
  }
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
    const requestId = newRequestId()
    const body = JSON.stringify(errorBody(error, requestId))
    socket.end(`HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`)
  })
}
