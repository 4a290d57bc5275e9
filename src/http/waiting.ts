import type { Socket } from 'node:net'

/** A place a waiting request holds: `gone` aborts once its client's connection closes. */
export interface Place {
  readonly gone: AbortSignal
  leave: () => void
}

/**
 * The requests that wait (journal `wait_ms` long polls, delay faults): at most `max` at once,
 * and each stops waiting once its client's connection closes, so that a client that goes away
 * frees what its requests hold (pipelined ones included) instead of leaving them to their timers.
 * Shutdown ends the waits themselves (the journal's and the fault rules').
 */
export class Waiting {
  readonly #max: number
  #count = 0
  /** The places taken on each connection: one 'close' listener per connection, however many wait on it. */
  readonly #bySocket = new Map<Socket, Set<AbortController>>()

  constructor (max: number) {
    this.#max = max
  }

  get count (): number { return this.#count }

  /** A place for a request of this connection to wait in; undefined when every place is taken. */
  enter (socket: Socket): Place | undefined {
    if (this.#count >= this.#max) return undefined
    const controller = new AbortController()
    if (socket.destroyed) {
      controller.abort()
    } else {
      let places = this.#bySocket.get(socket)
      if (places === undefined) {
        const taken = places = new Set()
        this.#bySocket.set(socket, taken)
        socket.once('close', () => {
          this.#bySocket.delete(socket)
          for (const place of taken) place.abort()
        })
      }
      places.add(controller)
    }
    this.#count++
    let left = false
    return {
      gone: controller.signal,
      leave: () => {
        if (left) return
        left = true
        this.#count--
        this.#bySocket.get(socket)?.delete(controller)
      }
    }
  }
}
