import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type ApiError, apiNotFound, apiRequestError, controlHeadersTooLarge, controlInvalid, errorBody, headersTooLarge, requestTimeout } from '../core/errors.js'
import { newRequestId } from '../core/ids.js'
import { afterDueResponses } from './early-answers.js'
import { sendError } from './errors.js'
import { journalRequest } from './record.js'

/*
 * What the server answers before a plane is chosen: requests that never became HTTP requests,
 * CONNECT, a path whose escapes do not decode. Each gets the gateway's body and a request id,
 * like any answer of the emulated API.
 */

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

/** A control-plane request line. */
const CONTROL_REQUEST = /^[A-Z]+ (?:https?:\/\/[^/ ]*)?\/_emulator(?:[/? ]|$)/i

/**
 * Where the request the parser failed on starts in the packet. Node's parser reads the connection
 * itself, so the packet is the whole read, which may start with requests pipelined before the one
 * that failed (`bytesParsed` is where it stopped): walked request by request, each head to its
 * blank line, then its body by its Content-Length (or to a chunked body's last chunk).
 */
function failedRequestStart (text: string, failedAt: number): number {
  let start = 0
  for (;;) {
    const headEnd = text.indexOf('\r\n\r\n', start)
    if (headEnd < 0 || headEnd + 4 > failedAt) return start
    const head = text.slice(start, headEnd)
    let next = headEnd + 4
    if (CHUNKED.test(head)) {
      const last = text.indexOf('0\r\n\r\n', next)
      next = last < 0 ? text.length : last + 5
    } else {
      next += Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0)
    }
    if (next > failedAt) return start
    start = next
  }
}
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d{1,15})/i
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i

/** Whether the request the parser failed on is the control plane's, by its request line. */
function forControlPlane (err: { rawPacket?: Buffer, bytesParsed?: number }): boolean {
  const packet = err.rawPacket
  if (packet === undefined) return false
  const text = packet.toString('latin1')
  const start = failedRequestStart(text, err.bytesParsed ?? 0)
  return CONTROL_REQUEST.test(text.slice(start, start + 512))
}

/** The answer to a request that never became one: the control plane's when its request line shows it is one of its own. */
function clientErrorAnswer (err: NodeJS.ErrnoException & { rawPacket?: Buffer, bytesParsed?: number }): ApiError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return requestTimeout()
  const control = forControlPlane(err)
  if (err.code === 'HPE_HEADER_OVERFLOW') return control ? controlHeadersTooLarge() : headersTooLarge()
  return control ? controlInvalid('Bad request: not a valid HTTP/1.1 request.') : apiRequestError()
}

/**
 * Requests that never became HTTP requests (malformed, oversized headers, too slow) get an error
 * body written on the socket, since Fastify has no reply for them: the gateway's, or the control
 * plane's when the request line that failed is there to say it was for the control plane (a
 * timeout has none: the gateway's). After every answer already due on the connection, and once
 * per connection.
 */
export function handleClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  // A connection that never sent a byte is closed without a word, whichever of Node's header
  // timeout and the emulator's own (connections.ts) comes first: there is no request to answer.
  if (err.code === 'ECONNRESET' || !socket.writable || (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.bytesRead === 0)) {
    socket.destroy()
    return
  }
  if (clientErrorAnswered.has(socket)) return
  clientErrorAnswered.add(socket)
  const error = clientErrorAnswer(err)
  afterDueResponses(socket, () => {
    // An answer due before it said Connection: close.
    if (!socket.writable) {
      socket.destroy()
      return
    }
    answerOnSocket(socket, error)
  })
}

/**
 * What Fastify answers itself before routing (a path whose `%` escapes do not decode): the
 * gateway's 400, with its request id, log line and journal entry like any other answer.
 */
/** A path under the control plane's prefix, in origin or absolute form. */
const CONTROL_PATH = /^(?:https?:\/\/[^/]*)?\/_emulator(?:[/?]|$)/i

export function gatewayBeforeRouting (app: () => FastifyInstance) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    const { journal, now } = app().emulator
    reply.header('x-request-id', request.id)
    request.log.info({ reqId: request.id, url: request.url, reason: error.message }, 'request refused before routing')
    // No plane has the request (the router could not read its path): its prefix is the one
    // thing that says whose it is. The control plane's answer is its own, and not journaled.
    if (CONTROL_PATH.test(request.url)) {
      sendError(reply, controlInvalid('The path does not decode: a % is not followed by two hex digits, or they are not UTF-8.'))
      return
    }
    sendError(reply, apiRequestError())
    journalRequest(journal, now, request, reply, reply.statusCode)
  }
}

/**
 * What Node would answer itself, without the documented shape: CONNECT (closed without a word)
 * gets the gateway's 404; an Expect other than 100-continue (Node's bare 417) is ignored, as RFC
 * 9110 §10.1.1 allows, and the request handled as any other.
 */
export function answerNodesOwnCases (app: FastifyInstance): void {
  app.server.on('connect', handleConnect)
  app.server.on('checkExpectation', (request, response) => app.server.emit('request', request, response))
}
