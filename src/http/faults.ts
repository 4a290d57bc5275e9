import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FaultRules } from '../core/faults.js'
import type { Journal } from '../core/journal.js'
import { journalRequest, operationOf } from './journal.js'

export type Step = (request: FastifyRequest, reply: FastifyReply, next: () => void) => void

/**
 * Applies fault rules to the emulated API, first in line after the request id: an error
 * answer, a delay before `next`, or a dropped connection.
 */
export function faultStep (faults: FaultRules, journal: Journal, now: () => number, sleep: (ms: number) => Promise<unknown>): Step {
  return (request, reply, next) => {
    if (faults.empty) {
      next()
      return
    }
    const params = request.params as { project_id: string, cluster_id: string }
    const action = faults.take({ operation: operationOf(request)!, method: request.method, projectId: params.project_id, clusterId: params.cluster_id })
    if (action === undefined) {
      next()
    } else if ('delay_ms' in action) {
      sleep(action.delay_ms).then(next, next)
    } else if ('drop' in action) {
      request.log.info({ reqId: request.id, rule: action.rule }, 'fault: connection dropped')
      journalRequest(journal, now, request, 0)
      reply.hijack()
      request.raw.socket.destroy()
    } else {
      request.errorCode = action.error_code
      // A gateway code gets the gateway's body, request id included.
      reply.code(action.status).send(action.error_code.startsWith('APIGW.')
        ? { error_code: action.error_code, error_msg: action.error_msg, request_id: request.id }
        : { error_code: action.error_code, error_msg: action.error_msg })
    }
  }
}
