import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { onDestroySoon, responseDue } from './internals.js'

/** How long, and how many more bytes, an early answer's connection keeps reading before it closes. */
export interface LingerLimits {
  lingerMs: number
  lingerBytes: number
}

/**
 * An answer sent while the request body is still arriving (413, 401, …) must reach the client.
 * Closing at once makes the kernel reset the connection over the unread bytes, and a client
 * still writing its body then sees EPIPE or ECONNRESET instead of the status. So, as nginx's
 * lingering close does: the answer says `Connection: close`, and once it is sent the write side
 * is half-closed and the rest of the body is read and thrown away until it ends, or for at most
 * `lingerBytes` more bytes or `lingerMs`, before the socket is destroyed: that replaces the
 * `destroySoon()` with which Node closes a `Connection: close` response's socket.
 */
export function lingerAfterAnswer (request: IncomingMessage, limits: LingerLimits): void {
  const socket = request.socket
  onDestroySoon(socket, () => {
    socket.end()
    // Never before the answer has left: destroy() drops what is still queued.
    const close = () => {
      if (socket.writableFinished) socket.destroy()
      else socket.once('finish', () => socket.destroy())
    }
    let left = limits.lingerBytes
    const timer = setTimeout(close, limits.lingerMs)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
    request.on('data', (chunk: Buffer) => {
      left -= chunk.length
      if (left < 0) close()
    })
    request.once('end', close)
    request.resume()
    if (request.complete) close()
  })
}

/**
 * Runs `then` once every answer due on the socket before `own` (pipelined requests) has been
 * sent: before a client error's answer, or before a dropped request's connection is closed. A
 * connection-level error never overtakes or swallows a response already due.
 */
export function afterDueResponses (socket: Socket, then: () => void, own?: ServerResponse): void {
  // Whether the due one has finished is not `writableFinished`: that turns true before Node has
  // moved the next one in.
  const due = responseDue(socket)
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
