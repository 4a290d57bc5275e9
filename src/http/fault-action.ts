import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ApiError } from '../core/errors.js'
import { faultError, throttled } from '../core/errors.js'
import type { FaultRules, Sleep, TakenFault } from '../core/faults.js'
import type { Journal } from '../core/journal.js'
import { announcesBody, BODY_LIMIT, readBody } from './body.js'
import { afterDueResponses } from './early-answers.js'
import { retryLater } from './errors.js'
import { journalRequest } from './record.js'
import type { Waiting } from './waiting.js'
import type { BodyBudget } from './body-budget.js'

export interface FaultContext {
  faults: FaultRules
  journal: Journal
  now: () => number
  sleep: Sleep
  /** The places to wait in (delays count with the journal's long polls). */
  waiting: Waiting
  /** Step 4, for a request that goes on after a delay. */
  authenticate: (request: FastifyRequest, reply: FastifyReply) => ApiError | undefined
  /** The bytes of bodies being read at once: an error's body is read whatever the credentials. */
  bodies: BodyBudget
}

/**
 * Step 3, when a rule acts: a delay waits, then the request goes on; an error (after its delay,
 * if any) or a drop is carried out once the body has been read, whatever the credentials, so
 * that the journal holds what the client sent on the failed attempt.
 */
export function carryOutFault ({ rule, action }: TakenFault, request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void, context: FaultContext): void {
  const { faults, journal, now, sleep, waiting, authenticate, bodies } = context
  request.faultId = rule
  /**
   * Waits out the delay in one of the places to wait (the gateway's 429 when none is free), then
   * goes on, unless the client went away meanwhile: then the request is neither carried out nor
   * answered, and its journal entry says status 0.
   */
  const delay = (ms: number, then: (waited: boolean) => void) => {
    const place = waiting.enter(request.raw.socket)
    if (place === undefined) {
      done(retryLater(reply, throttled()))
      return
    }
    void faults.delay(rule, ms, sleep, place.gone).then((waited) => {
      place.leave()
      if (!place.gone.aborted) {
        then(waited)
        return
      }
      request.log.info({ reqId: request.id, rule }, 'fault: the client went away during the delay')
      journalRequest(journal, now, request, reply, 0)
      void reply.hijack()
    })
  }
  if (!('status' in action) && !('drop' in action)) {
    delay(action.delay_ms, () => done(authenticate(request, reply)))
    return
  }
  const act = () => {
    if ('drop' in action) {
      request.log.info({ reqId: request.id, rule }, 'fault: connection dropped')
      journalRequest(journal, now, request, reply, 0)
      void reply.hijack()
      // Answers due before it on the connection are sent first; requests pipelined after it
      // are never carried out (pipelining.ts: they wait for this one).
      const socket = request.raw.socket
      afterDueResponses(socket, () => socket.destroy(), reply.raw)
    } else {
      if (action.headers !== undefined) reply.headers(action.headers)
      done(faultError(action.status, action.error_code, action.error_msg))
    }
  }
  const afterBody = () => {
    if (!announcesBody(request.raw)) {
      act()
      return
    }
    if (!bodies.take(request.raw, reply.raw)) {
      done(retryLater(reply, throttled()))
      return
    }
    readBody(request.raw, BODY_LIMIT).then((body) => {
      request.rawBody = body
      act()
    }, done)
  }
  if (!('delay_ms' in action) || action.delay_ms === undefined) {
    afterBody()
    return
  }
  // An error after a wait; the request goes on normally if the rule goes meanwhile.
  delay(action.delay_ms, (waited) => {
    if (waited) afterBody()
    else done(authenticate(request, reply))
  })
}
