import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * HTTP/1.1 pipelining, one request at a time, as a gateway serves it: a request pipelined
 * behind others is carried out once the answer before it has been sent (taken by the kernel),
 * and at most `maxQueued` wait so on a connection; one more closes the connection.
 *
 * Why: Node parses every request of a read (64 KiB: thousands of small ones) at once and hands
 * them all over, and answers are sent in order. Carried out at once, each would build its answer
 * and keep it until the ones before it were sent: a client that pipelines and does not read
 * could make the process hold thousands of answers per connection (a gigabyte with six
 * connections asking for the OpenAPI document), and every long poll among them would hold a
 * place. One at a time, a connection holds one answer and one place at most, and a client that
 * does not read stalls only itself until the stall cut-off closes it (connections.ts).
 *
 * The check costs one property read for a request that is not pipelined: Node gives a
 * response its socket at once when nothing is answered before it, and later (its 'socket'
 * event) when it is.
 */
export function oneAtATime (handler: RequestListener, maxQueued: number): RequestListener {
  const queued = new WeakMap<Socket, number>()
  return function request (req: IncomingMessage, res: ServerResponse): void {
    if (res.socket !== null) {
      handler(req, res)
      return
    }
    const socket = req.socket
    // What follows a closed connection's last read (a dropped request, one pipelined too many)
    // is neither carried out nor answered.
    if (socket.destroyed) return
    const count = (queued.get(socket) ?? 0) + 1
    if (count > maxQueued) {
      socket.destroy()
      return
    }
    queued.set(socket, count)
    res.once('socket', () => {
      queued.set(socket, queued.get(socket)! - 1)
      handler(req, res)
    })
  }
}
