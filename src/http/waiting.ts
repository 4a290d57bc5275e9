import type { Socket } from 'node:net'
import { whenSocketCloses } from './on-close.js'

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

  constructor (max: number) {
    this.#max = max
  }

  get count (): number { return this.#count }

  /** A place for a request of this connection to wait in; undefined when every place is taken. */
  enter (socket: Socket): Place | undefined {
    if (this.#count >= this.#max) return undefined
    const controller = new AbortController()
    const cancel = whenSocketCloses(socket, () => controller.abort())
    this.#count++
    let left = false
    return {
      gone: controller.signal,
      leave: () => {
        if (left) return
        left = true
        this.#count--
        cancel()
      }
    }
  }
}
