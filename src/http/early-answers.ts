import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

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
 * `lingerBytes` more bytes or `lingerMs`, before the socket is destroyed.
 *
 * Node closes a `Connection: close` response's socket with `socket.destroySoon()` once the
 * response is finished; that one call, on this one socket, is replaced.
 */
export function lingerAfterAnswer (request: IncomingMessage, limits: LingerLimits): void {
  const socket = request.socket as Socket & { destroySoon?: () => void }
  socket.destroySoon = () => {
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
  }
}
