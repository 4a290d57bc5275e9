import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { LIMITS } from '../core/limits.js'
import { kernelQueue } from './internals.js'

/** A stream's `_write(chunk, encoding, callback)` or `_writev(chunks, callback)` (Node's Writable contract). */
type Write = (this: Socket, first: unknown, second: unknown, third?: unknown) => void
type Done = (error?: Error | null) => void
type Writable = Socket & { _write: Write, _writev: Write, _final: (callback: Done) => void }

/**
 * What a connection may hold, in bytes, with its writes reported done before the turn's end (an
 * answer of the API is a few hundred). Past it, a write is held with its completion: a large
 * answer is written as the kernel takes it, with Node's own backpressure.
 */
export const HELD_BYTES = LIMITS.heldAnswer.value

/** The sockets with writes held for the turn's end, each by its own `send`. */
let due: Array<() => void> = []

function flush (): void {
  const sends = due
  due = []
  for (const send of sends) send()
}

/**
 * The answers of one turn of the event loop leave together, at its end (`setImmediate`, after
 * every connection that was readable has been read and its requests carried out), as Redis
 * writes its replies before it waits for more. What a connection's answer writes is held by its
 * socket and handed to the kernel then, in one write per connection as before.
 *
 * Why: a write to a client that is waiting wakes it, and in a virtual machine waking a process
 * on another core costs more than the rest of a small request (bench/RESULTS.md, round three:
 * answers written as they were ready took the emulator ~70 µs a request on a 2-core VM, and
 * ~35 µs written together). One request alone waits a few microseconds more.
 *
 * A small write (HELD_BYTES in all on the connection, with nothing of it left in the kernel's
 * queue) is reported done at once, as a write the kernel takes whole is: the response finishes,
 * its 'finish' and Fastify's onResponse run in the turn, and what the request made is garbage
 * before the young generation is next collected. (Held until the turn's end, the ~50 requests of
 * a turn survived each collection, which then grew the young generation to its largest: +16 MiB
 * of memory under load.) A write that fails then destroys the socket with its error, as Node does.
 * A larger write keeps its completion until the kernel has taken it. TLS connections are left
 * as they are (see below).
 *
 * Written at once, in order after what the connection holds:
 * - when requests are pipelined behind the answer on its connection (`writeNow`): each is
 *   carried out only once the answer before it is written (pipelining.ts), so holding them would
 *   cost a turn a request;
 * - before the socket is destroyed or its write side ends (`_final`): what it holds goes first,
 *   as it would have had it been written at once (Node destroys the socket of an ended response
 *   without waiting for its 'finish', e.g. `closeIdleConnections` at shutdown, and ends a
 *   `Connection: close` answer's socket once the answer has finished).
 */
export function writeAtTurnEnd (server: Server, writeNow: (socket: Socket) => boolean): void {
  server.on('connection', (socket: Socket) => {
    // A TLS connection is written as Node writes it. It takes one write at a time (its TLSWrap
    // asserts it: reported done early, a second would reach it), and a write completes in a later
    // turn, and only then is the request journaled: held to the turn's end as well, a client
    // could read its answer, ask the journal, and not find its request there yet.
    if ((socket as Socket & { encrypted?: boolean }).encrypted === true) return
    holdWrites(socket as Writable, writeNow)
  })
}

/**
 * Bytes a `_write` or `_writev` carries, at most: a string's UTF-8 takes up to 3 bytes a UTF-16
 * unit. A Buffer is counted the same way, which only makes a large one keep its completion sooner.
 */
function sizeOf (method: Write, write: Write, first: unknown): number {
  if (method === write) return 3 * (first as { length: number }).length
  let size = 0
  for (const { chunk } of first as Array<{ chunk: { length: number } }>) size += 3 * chunk.length
  return size
}

function holdWrites (socket: Writable, writeNow: (socket: Socket) => boolean): void {
  const { _write: write, _writev: writev, _final: final, destroy } = socket
  // The held writes, four entries each: the method, then its arguments (a callback of ours when
  // it was reported done). Mostly one: a response is one write.
  let held: unknown[] = []
  let bytes = 0
  const failed: Done = (error) => { if (error != null) socket.destroy(error) }
  const send = () => {
    if (held.length === 0) return
    const writes = held
    held = []
    bytes = 0
    for (let i = 0; i < writes.length; i += 4) (writes[i] as Write).call(socket, writes[i + 1], writes[i + 2], writes[i + 3])
  }
  const hold = (method: Write, first: unknown, second: unknown, third: unknown) => {
    if (writeNow(socket)) {
      send()
      method.call(socket, first, second, third)
      return
    }
    const callback = (method === write ? third : second) as Done
    const size = sizeOf(method, write, first)
    const early = bytes + size <= HELD_BYTES && kernelQueue(socket) === 0
    if (early) {
      bytes += size
      if (method === write) third = failed
      else second = failed
    }
    if (held.length === 0) {
      if (due.length === 0) setImmediate(flush)
      due.push(send)
    }
    held.push(method, first, second, third)
    if (early) callback()
  }
  socket._write = function (chunk, encoding, callback) { hold(write, chunk, encoding, callback) }
  socket._writev = function (chunks, callback) { hold(writev, chunks, callback, undefined) }
  socket._final = function (callback) {
    send()
    final.call(socket, callback)
  }
  socket.destroy = function (error?: Error) {
    send()
    return destroy.call(socket, error)
  }
}
