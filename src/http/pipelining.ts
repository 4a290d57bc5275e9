import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { httpDataListener, httpParser, pausedByNode } from './internals.js'

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

const END_OF_HEADERS = Buffer.from('\r\n\r\n')

/**
 * Feeds Node's HTTP parser a read request by request (cut after each blank line), and stops once
 * the connection is closed: Node parses every request of a read at once and makes a request and a
 * response object for each, even after the connection was closed for pipelining too many, so a
 * read of 64 KiB of tiny requests made thousands (1,500 connections of 200: 540 MiB) before any
 * could be let go. What Node pauses the connection for mid-read is put back, for its resume.
 * A read of one request (with its body), or of a body, is fed whole, after a search for a
 * second blank line.
 */
export function parseRequestByRequest (server: Server): void {
  server.on('connection', (socket: Socket) => {
    const feed = httpDataListener(socket)
    /* c8 ignore next */ // a Node that feeds its parser otherwise (none so far) keeps its own way
    if (feed === undefined) return
    const parser = httpParser(socket)
    socket.removeListener('data', feed)
    socket.on('data', (chunk: Buffer) => {
      let at = 0
      while (at < chunk.length) {
        // Closed, or the parser freed (an upgrade took the connection): the rest is nobody's.
        if (socket.destroyed || httpParser(socket) !== parser) return
        if (pausedByNode(socket)) {
          socket.unshift(chunk.subarray(at))
          return
        }
        // Cut only where another request follows: a read of one request and its body (nearly
        // every read) is fed whole, in one call, as Node feeds it.
        const end = chunk.indexOf(END_OF_HEADERS, at)
        const following = end < 0 ? -1 : chunk.indexOf(END_OF_HEADERS, end + END_OF_HEADERS.length)
        const next = following < 0 ? chunk.length : end + END_OF_HEADERS.length
        feed(at === 0 && next === chunk.length ? chunk : chunk.subarray(at, next))
        at = next
      }
    })
  })
}
