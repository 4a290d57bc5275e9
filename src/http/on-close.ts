import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** What waits for each socket's close: one 'close' listener a socket, however many wait on it. */
const waiting = new WeakMap<Socket, Set<() => void>>()

/** Runs `fn` once the socket closes (at once if it has); answers a function that cancels it. */
export function whenSocketCloses (socket: Socket, fn: () => void): () => void {
  if (socket.destroyed) {
    fn()
    return () => {}
  }
  let set = waiting.get(socket)
  if (set === undefined) {
    const all = set = new Set()
    waiting.set(socket, all)
    socket.once('close', () => {
      waiting.delete(socket)
      for (const each of all) each()
    })
  }
  set.add(fn)
  return () => { set.delete(fn) }
}

/**
 * Runs `fn` once, when the response is done or its connection closes: Node emits 'close' on a
 * response whose connection closes, and a response is carried out only once it has its
 * connection (pipelining.ts). One whose connection has closed already will not emit it again.
 */
export function whenDone (response: ServerResponse, socket: Socket, fn: () => void): void {
  if (socket.destroyed) fn()
  else response.once('close', fn)
}
