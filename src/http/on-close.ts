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
 * Runs `fn` once, when the response is done or its connection closes, whichever comes first: a
 * response queued behind pipelined ones never emits 'close' when the connection goes first.
 */
export function whenDone (response: ServerResponse, socket: Socket, fn: () => void): void {
  let done = false
  let cancel = () => {}
  const once = () => {
    if (done) return
    done = true
    cancel()
    fn()
  }
  // On a connection closed already, `once` runs before this returns.
  cancel = whenSocketCloses(socket, once)
  if (!done) response.once('close', once)
}
