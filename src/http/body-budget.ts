import type { IncomingMessage, ServerResponse } from 'node:http'
import { LIMITS } from '../core/limits.js'
import { whenDone } from './on-close.js'

/** Bodies this small are not counted: every connection may send as much in headers anyway. */
const UNCOUNTED = LIMITS.headers.value

/**
 * The bytes of request bodies being read at once, in all: each body may take up to 12 MiB, and
 * a thousand connections sending one each would hold gigabytes. A body over UNCOUNTED takes its
 * announced length from the budget (one without Content-Length, the whole body limit) before a
 * byte of it is read, and gives it back once its answer is done.
 */
export class BodyBudget {
  #left: number

  constructor (max: number) {
    this.#left = max
  }

  get left (): number { return this.#left }

  /** Takes the request's share; false when the budget has no room for it (nothing is taken). */
  take (request: IncomingMessage, response: ServerResponse): boolean {
    const length = request.headers['content-length']
    const bytes = length === undefined ? LIMITS.body.value : Math.min(Number(length), LIMITS.body.value)
    if (bytes <= UNCOUNTED) return true
    if (bytes > this.#left) return false
    this.#left -= bytes
    whenDone(response, request.socket, () => { this.#left += bytes })
    return true
  }
}
