import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { type ApiError, errorBody } from '../core/errors.js'
import { routeConfig } from './internals.js'
import { whenDone } from './on-close.js'
import { retryLater } from './errors.js'

/** Answers this small are not counted: a connection's socket buffers hold as much anyway. */
const UNCOUNTED = 64 * 1024

/**
 * The bytes of large answers being sent at once, in all (the world, the OpenAPI document, IAM's
 * lists): each is made whole before it is sent, and a client that does not read would keep it,
 * so a thousand such clients would hold a thousand copies. An answer over UNCOUNTED takes its
 * size until it is sent or its connection closes.
 */
export class AnswerBudget {
  #left: number
  /** Each route's last answer's size (its config object stands for it). */
  readonly #last = new WeakMap<object, number>()

  constructor (max: number) {
    this.#left = max
  }

  get left (): number { return this.#left }

  /** Whether an answer the size of the route's last one would get a share now. */
  fits (route: object): boolean {
    return (this.#last.get(route) ?? 0) <= this.#left
  }

  /** Notes the size of the route's answer: what `fits` expects of its next one. */
  note (route: object, bytes: number): void {
    this.#last.set(route, bytes)
  }

  /** Takes `bytes` until the response is done or its connection closes; false when there is no room (nothing is taken). */
  take (bytes: number, response: ServerResponse, socket: Socket): boolean {
    if (bytes > this.#left) return false
    this.#left -= bytes
    whenDone(response, socket, () => { this.#left += bytes })
    return true
  }
}

/**
 * An onSend hook: a large answer takes its share of the budget (its reader, if it takes nothing,
 * is cut off by the stall sweep of connections.ts); without a share, the answer is `refusal`
 * (429, `Retry-After: 1`).
 */
export function largeAnswers (budget: AnswerBudget, refusal: () => ApiError) {
  return function large (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
    // Streams (the journal's reads) have their own bounds.
    const size = typeof payload === 'string' ? (payload.length > UNCOUNTED / 3 ? Buffer.byteLength(payload) : 0) : Buffer.isBuffer(payload) ? payload.length : 0
    if (reply.statusCode < 300) budget.note(routeConfig(request), size > UNCOUNTED ? size : 0)
    if (size <= UNCOUNTED) {
      done(null, payload)
    } else if (budget.take(size, reply.raw, request.raw.socket)) {
      done(null, payload)
    } else {
      const error = refusal()
      request.errorCode = error.code
      reply.code(error.statusCode).header('retry-after', '1').header('content-type', 'application/json; charset=utf-8')
      const body = errorBody(error, request.id)
      request.sentBody = body
      done(null, JSON.stringify(body))
    }
  }
}

/**
 * A preHandler hook: a route whose last answer was large is refused (429, `Retry-After: 1`)
 * before its answer is made when no share that size is left, so that clients asking at once
 * for a large answer they will not get cost a 429, not the answer's making each (a world at
 * its limits is ~7 MB; a cluster of 100,000 names, 50 ms).
 */
export function roomForLarge (budget: AnswerBudget, refusal: () => ApiError) {
  return function room (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    if (budget.fits(routeConfig(request))) done()
    else done(retryLater(reply, refusal()))
  }
}
