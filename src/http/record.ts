import { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Journal } from '../core/journal.js'
import { errorHints } from './errors.js'
import { sentHeaders } from './internals.js'
import { operationOf } from './request-fields.js'

/**
 * Records a request in the journal, which keeps its own copy as bytes (bodies cut at 16 KiB),
 * shaped into an entry only when the journal is read. Status 0: the connection was dropped,
 * nothing was sent.
 */
export function journalRequest (journal: Journal, now: () => number, request: FastifyRequest, reply: FastifyReply, status: number): void {
  if (!journal.enabled) return
  const params = (request.params ?? {}) as { project_id?: string, cluster_id?: string }
  journal.record({
    request_id: request.id,
    time: now(),
    durationMs: reply.elapsedTime,
    method: request.method,
    // Fastify's: https when the connection is TLS (no proxy header is trusted).
    scheme: request.protocol,
    path: request.url,
    operation: operationOf(request),
    project_id: params.project_id ?? null,
    cluster_id: params.cluster_id ?? null,
    status,
    // ?? null: a request refused before routing is not decorated (before-routing.ts).
    error_code: request.errorCode,
    fault_id: request.faultId ?? null,
    headers: request.headers,
    parsed: request.raw instanceof IncomingMessage,
    body: request.rawBody,
    responseHeaders: status === 0 ? null : sentHeaders(reply),
    // A HEAD answer sends its headers only (Node writes no body for it).
    responseBody: request.method === 'HEAD' ? '' : request.sentBody
  })
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

/**
 * The request's log line, written on the way out; undefined when the level leaves it out
 * (decided once: building the log object for a level that is off costs on every request).
 * `name` gives the operation it names (the API's operation; the control plane's route); an
 * answer with an error code names it (`error_code`). `quiet` requests are logged at `debug`.
 */
export function requestLogLine (app: FastifyInstance, name: (request: FastifyRequest) => string | null = operationOf,
  quiet?: (request: FastifyRequest, reply: FastifyReply) => boolean): ((request: FastifyRequest, reply: FastifyReply) => void) | undefined {
  const level = LEVELS[app.log.level] ?? Infinity
  if (level > LEVELS.info!) return undefined
  const debug = level <= LEVELS.debug!
  return (request, reply) => {
    const muted = quiet?.(request, reply) === true
    if (muted && !debug) return
    // To the microsecond: more digits are noise (`11.967222999999876`).
    const ms = Math.round(reply.elapsedTime * 1000) / 1000
    const line: Record<string, unknown> = { reqId: request.id, operation: name(request), method: request.method, url: request.url, status: reply.statusCode, ms }
    if (request.errorCode != null) line.error_code = request.errorCode
    const hint = errorHints.get(request)
    if (hint !== undefined) line.hint = hint
    if (muted) request.log.debug(line, 'request')
    else request.log.info(line, 'request')
  }
}

/**
 * The control plane's reads that succeed (the dashboard polls the world, the journal and the
 * rules every few seconds): logged at `debug`, so that at `info` the log is the API's traffic
 * and the changes made to the emulator.
 */
const controlRead = (request: FastifyRequest, reply: FastifyReply): boolean => request.method === 'GET' && reply.statusCode < 400

/** A control-plane route's name: its OpenAPI operationId (`EmulatorReset`); null for an unknown route. */
export const routeName = (request: FastifyRequest): string | null =>
  (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId ?? null

type Hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void

/** The API plane's last step: every request's log line and journal entry, unknown paths included. */
export function recordStep (plane: FastifyInstance, journal: Journal, now: () => number): Hook {
  const logLine = requestLogLine(plane)
  return function record (request, reply, done) {
    logLine?.(request, reply)
    journalRequest(journal, now, request, reply, reply.statusCode)
    done()
  }
}

/** The control plane's last step: the log line (no journal); undefined when the level leaves it out. */
export function logStep (plane: FastifyInstance): Hook | undefined {
  const logLine = requestLogLine(plane, routeName, controlRead)
  if (logLine === undefined) return undefined
  return function log (request, reply, done) {
    logLine(request, reply)
    done()
  }
}
