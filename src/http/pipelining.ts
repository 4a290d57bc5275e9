import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { httpParser } from './internals.js'

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
export function oneAtATime (handler: RequestListener, limits: PipelineLimits): RequestListener & { waiting: (socket: Socket) => boolean } {
  const queued = new WeakMap<Socket, { count: number, bytes: number }>()
  // Requests of 16 KiB of headers each, 16 on each of a thousand connections, would hold
  // 256 MiB: what waits is bounded in bytes too, in all.
  let bytes = 0
  const request = function request (req: IncomingMessage, res: ServerResponse): void {
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
  /** Whether requests wait on the connection behind the one being answered. */
  const waiting = (socket: Socket) => (queued.get(socket)?.count ?? 0) > 0
  return Object.assign(request, { waiting })
}

type Parser = Record<string, unknown> & { socket?: Socket | null, incoming?: unknown }
type HeadersComplete = (this: Parser, ...fields: unknown[]) => number

/** The connections of the servers `parseNothingAfterClose` watches (not a client's). */
const watched = new WeakSet<Socket>()
/** Node's headers-complete callback (one function for all its parsers), wrapped once. */
const guards = new Map<HeadersComplete, HeadersComplete>()
/** The wrappers (a parser is reused by later connections: wrapped already). */
const installed = new Set<HeadersComplete>()

function guarded (complete: HeadersComplete): HeadersComplete {
  let guard = guards.get(complete)
  if (guard === undefined) {
    // Node calls it with the request line and headers as nine arguments; passed on as they are
    // (a rest parameter would make an array per request).
    guard = function headersComplete (this: Parser, a, b, c, d, e, f, g, h, i) {
      const socket = this.socket
      if (socket?.destroyed === true && watched.has(socket)) {
        // No request: the body that may follow is parsed into nothing (Node's own callbacks
        // skip a parser without one), and no response is made.
        this.incoming = null
        return 0
      }
      return complete.call(this, a, b, c, d, e, f, g, h, i)
    }
    guards.set(complete, guard)
    installed.add(guard)
  }
  return guard
}

/**
 * Node parses every request of a read at once (64 KiB: thousands of small ones) and makes a
 * request and a response object for each, even after the connection was closed for pipelining
 * too many: 1,500 connections of 200 tiny requests held 540 MiB before any could be let go.
 * Once a connection is closed, its parser here makes nothing of what is left of the read: the
 * requests are still parsed (cheaply, in Node's C++ parser) but none becomes a request or a
 * response. Node's parser keeps reading the socket itself, with no JavaScript per read: feeding
 * it from a 'data' listener instead, request by request, took a quarter of each request's time
 * (bench/RESULTS.md, round three).
 */
export function parseNothingAfterClose (server: Server): void {
  server.on('connection', (socket: Socket) => {
    const parser = httpParser(socket) as Parser | null | undefined
    /* c8 ignore next */ // every connection of an HTTP server has one (a Node that differs keeps its own way)
    if (parser == null) return
    watched.add(socket)
    const key = headersCompleteKey(parser)
    /* c8 ignore next */ // as above: a Node without this callback keeps its own way
    if (key === undefined) return
    const complete = parser[key] as HeadersComplete
    if (!installed.has(complete)) parser[key] = guarded(complete)
  })
}

/** Where Node's parser keeps its headers-complete callback (an index its C++ side calls by). */
let completeKey: string | undefined
function headersCompleteKey (parser: Parser): string | undefined {
  completeKey ??= Object.keys(parser).find((key) => (parser[key] as { name?: string } | undefined)?.name === 'parserOnHeadersComplete')
  return completeKey
}
