import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface PipelineLimits {
  /** Requests that may wait on a connection. */
  maxQueued: number
  /** Bytes of the request lines and headers of the requests waiting, in all connections. */
  maxBytes: number
}

/** A waiting request's size: its request line and headers, as Node keeps them. */
function sizeOf (req: IncomingMessage): number {
  let size = req.url!.length
  for (const field of req.rawHeaders) size += field.length
  return size
}

/**
 * HTTP/1.1 pipelining, one request at a time, as a gateway serves it: a request pipelined
 * behind others is carried out once the answer before it has been sent (taken by the kernel),
 * and at most `maxQueued` wait so on a connection, and `maxBytes` of them in all; one more
 * closes its connection.
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
export function oneAtATime (handler: RequestListener, limits: PipelineLimits): RequestListener {
  const queued = new WeakMap<Socket, { count: number, bytes: number }>()
  // Requests of 16 KiB of headers each, 16 on each of a thousand connections, would hold
  // 256 MiB: what waits is bounded in bytes too, in all.
  let bytes = 0
  return function request (req: IncomingMessage, res: ServerResponse): void {
    if (res.socket !== null) {
      handler(req, res)
      return
    }
    const socket = req.socket
    // What follows a closed connection's last read (a dropped request, one pipelined too many)
    // is neither carried out nor answered.
    if (socket.destroyed) return
    let waiting = queued.get(socket)
    const size = sizeOf(req)
    if ((waiting?.count ?? 0) >= limits.maxQueued || bytes + size > limits.maxBytes) {
      socket.destroy()
      return
    }
    if (waiting === undefined) {
      const fresh = waiting = { count: 0, bytes: 0 }
      queued.set(socket, fresh)
      // Those still waiting when the connection closes are never carried out.
      socket.once('close', () => {
        bytes -= fresh.bytes
        fresh.bytes = 0
      })
    }
    const mine = waiting
    mine.count++
    mine.bytes += size
    bytes += size
    res.once('socket', () => {
      mine.count--
      mine.bytes -= size
      bytes -= size
      handler(req, res)
    })
  }
}
