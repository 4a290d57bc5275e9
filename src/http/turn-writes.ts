import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/** A stream's `_write(chunk, encoding, callback)` or `_writev(chunks, callback)` (Node's Writable contract). */
type Write = (this: Socket, first: unknown, second: unknown, third?: unknown) => void
type Writable = Socket & { _write: Write, _writev: Write }

/** The sockets with a write held for the turn's end, each by its own `send`. */
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
 * Node's HTTP semantics are unchanged: the response is ended when Fastify ends it (its
 * 'finish' waits for the write, as for any write the kernel takes later). Two cases write at once:
 * - requests pipelined behind the answer on its connection (`writeNow`): each is carried out
 *   only once the answer before it is written (pipelining.ts), so holding them would cost a turn
 *   a request;
 * - a destroy: what the socket holds is handed to the kernel first, as it was before the destroy
 *   when the write was made at once (Node destroys the socket of an ended response without
 *   waiting for its 'finish', e.g. `closeIdleConnections` at shutdown).
 */
export function writeAtTurnEnd (server: Server, writeNow: (socket: Socket) => boolean): void {
  server.on('connection', (socket: Socket) => { holdWrites(socket as Writable, writeNow) })
}

function holdWrites (socket: Writable, writeNow: (socket: Socket) => boolean): void {
  const { _write: write, _writev: writev, destroy } = socket
  // A stream has one write in flight at most (the next waits for its callback): one held at most.
  let held: Write | undefined
  let first: unknown
  let second: unknown
  let third: unknown
  const send = () => {
    const method = held
    if (method === undefined) return
    const a = first
    const b = second
    const c = third
    held = first = second = third = undefined
    method.call(socket, a, b, c)
  }
  const hold = (method: Write, a: unknown, b: unknown, c: unknown) => {
    held = method
    first = a
    second = b
    third = c
    if (due.length === 0) setImmediate(flush)
    due.push(send)
  }
  socket._write = function (chunk, encoding, callback) {
    if (writeNow(socket)) write.call(socket, chunk, encoding, callback)
    else hold(write, chunk, encoding, callback)
  }
  socket._writev = function (chunks, callback) {
    if (writeNow(socket)) writev.call(socket, chunks, callback)
    else hold(writev, chunks, callback, undefined)
  }
  socket.destroy = function (error?: Error) {
    send()
    return destroy.call(socket, error)
  }
}
