import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FaultRules } from '../core/faults.js'
import type { Journal } from '../core/journal.js'
import { journalRequest } from './journal.js'

/**
 * Applies fault rules to the emulated API, first in line after the request id: an error
 * answer, a delay before the normal answer, or a dropped connection.
 */
export function registerFaults (app: FastifyInstance, faults: FaultRules, journal: Journal, now: () => number, sleep: (ms: number) => Promise<unknown>): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as { project_id: string, cluster_id: string }
    const action = faults.take({ operation: request.routeOptions.config.operation!, method: request.method, projectId: params.project_id, clusterId: params.cluster_id })
    if (action === undefined) return
    if ('delay_ms' in action) {
      await sleep(action.delay_ms)
      return
    }
    if ('drop' in action) {
      request.log.info({ rule: action.rule }, 'fault: connection dropped')
      journalRequest(journal, now, request, 0)
      reply.hijack()
      request.raw.socket.destroy()
      return reply
    }
    request.errorCode = action.error_code
    // A gateway code gets the gateway's body, request id included.
    const body = action.error_code.startsWith('APIGW.')
      ? { error_code: action.error_code, error_msg: action.error_msg, request_id: request.id }
      : { error_code: action.error_code, error_msg: action.error_msg }
    return reply.code(action.status).send(body)
  })
}
