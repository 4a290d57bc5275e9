import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  ApiError, apiNotFound, apiRequestError, controlNotFound, entityTooLarge, internalError, invalidParameter, shorten
} from '../core/errors.js'
import { newRequestId } from '../core/ids.js'

/** The error body of the API: gateway errors also carry the request id. */
export function errorBody (error: ApiError, requestId: string) {
  return error.gateway
    ? { error_code: error.code, error_msg: error.message, request_id: requestId }
    : { error_code: error.code, error_msg: error.message }
}

export function sendError (reply: FastifyReply, error: ApiError): FastifyReply {
  reply.request.errorCode = error.code
  return reply.code(error.statusCode).send(errorBody(error, reply.request.id))
}

/** Maps what Fastify and Node throw onto the API's errors; anything else is masked as 12000004. */
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

export function handleError (this: FastifyInstance, err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const error = toApiError(err)
  if (error !== undefined) return sendError(reply, error)
  request.log.error({ reqId: request.id, err }, 'unexpected error')
  return sendError(reply, internalError())
}

export function handleNotFound (request: FastifyRequest, reply: FastifyReply) {
  if (request.url.startsWith('/_emulator/')) {
    return sendError(reply, controlNotFound(`No control-plane route ${request.method} ${shorten(request.url.split('?')[0]!)}.`))
  }
  return sendError(reply, apiNotFound())
}

/**
 * Requests that never became HTTP requests (malformed, oversized headers, too slow) get the
 * gateway's error body, written on the socket since Fastify has no reply for them.
 */
export function handleClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW'
    ? 431
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const requestId = newRequestId()
  const body = JSON.stringify({
    error_code: 'APIGW.0201',
    error_msg: status === 431 ? 'Request header fields too large.' : status === 408 ? 'Request timeout.' : 'API request error.',
    request_id: requestId
  })
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`)
}
