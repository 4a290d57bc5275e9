import type { IncomingHttpHeaders } from 'node:http'
import { Type, type Static } from '@sinclair/typebox'
import { OperationSchema } from './api-schema.js'
import { deeperThan } from './json-depth.js'
import { redactSecrets, SECRET_BODIES, SECRET_HEADERS } from './secrets.js'
import { LIMITS, worded } from './limits.js'

/** Bodies up to this size are kept whole; larger ones are cut here, with a marker. */
export const JOURNAL_BODY_LIMIT = LIMITS.journalBody.value
const REDACTED = new Set(SECRET_HEADERS)

/**
 * What the journal keeps of a request: cheap to record, shaped only when read. The entry's plain
 * fields (request_id, method, path, operation, ids, status, error_code, fault_id) are kept as they
 * are shown; the others as recorded.
 */
export interface JournalRecord extends Omit<JournalEntry, 'time' | 'duration_ms' | 'headers' | 'body' | 'response'> {
  /** When the answer was sent, on the emulator's clock. */
  time: number
  durationMs: number
  headers: IncomingHttpHeaders
  /** The body bytes, cut to JOURNAL_BODY_LIMIT; `bodySize` is the size received. */
  body: Buffer | undefined
  bodySize: number
  /** The headers sent; null when nothing was (a dropped connection). */
  responseHeaders: Record<string, unknown> | null
  /**
   * The body sent, by reference: a JSON value (the small bodies the API builds), or its text or
   * bytes, cut to JOURNAL_BODY_LIMIT (see `Journal.keepSent`).
   */
  responseBody: unknown
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Headers = (description: string) => Type.Record(Type.String(), Type.String(), { description })
const Body = (description: string) => Type.Unknown({ description })

/** A journal entry as `GET /_emulator/requests` answers it. */
export const JournalEntrySchema = Type.Object({
  request_id: Type.String(),
  time: Type.String({ description: 'When the answer was sent, on the emulator\'s clock (ISO 8601).' }),
  duration_ms: Type.Number({ description: 'From the request\'s arrival to its answer.' }),
  method: Type.String(),
  path: Type.String({ description: 'Path and query as received (an absolute-form target in its origin form).' }),
  operation: Nullable(Type.String()),
  project_id: Nullable(Type.String()),
  cluster_id: Nullable(Type.String()),
  status: Type.Integer({ description: '0 when a fault dropped the connection.' }),
  error_code: Nullable(Type.String()),
  fault_id: Nullable(Type.String({ description: 'The fault rule that answered, delayed or dropped the request.' })),
  headers: Headers('Secret headers are [REDACTED].'),
  body: Body(`The JSON body; its text when not JSON; cut with a marker past ${worded(LIMITS.journalBody)}; null when none.`),
  response: Nullable(Type.Object({
    headers: Headers('The headers sent.'),
    body: Body('The body sent, as the request body is shown.')
  }, { description: 'What was sent; null when the connection was dropped.' }))
})
export type JournalEntry = Static<typeof JournalEntrySchema>

/** The journal's filters: all optional, combined with AND; an unknown one is refused by name. */
export const JournalFilterSchema = Type.Object({
  operation: Type.Optional(OperationSchema),
  method: Type.Optional(Type.String({ description: 'GET, POST, DELETE, … (in any case)' })),
  project_id: Type.Optional(Type.String()),
  cluster_id: Type.Optional(Type.String()),
  status: Type.Optional(Type.Integer({ minimum: 0, maximum: 599, description: '0: dropped by a fault.' })),
  error_code: Type.Optional(Type.String()),
  fault_id: Type.Optional(Type.String({ description: 'The fault rule that acted on the request.' })),
  since: Type.Optional(Type.String({ description: 'A request id: only the requests recorded after it (all kept ones when it is no longer kept).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.journalEntries.value, description: 'The newest N matches.' }))
}, { additionalProperties: false })
export type JournalFilter = Static<typeof JournalFilterSchema>

/** Keeps at most JOURNAL_BODY_LIMIT bytes of a body, copied so a large body is not kept alive. */
export function keepBody (body: Buffer | undefined): Buffer | undefined {
  return body === undefined || body.length <= JOURNAL_BODY_LIMIT ? body : Buffer.from(body.subarray(0, JOURNAL_BODY_LIMIT))
}

/**
 * Bodies nested deeper than this are kept as text. Whether JSON.stringify can write a deeper
 * value depends on the stack left where it runs and on the V8 version (Node 26 writes 6,000
 * levels at the top of a stack, then overflows inside Fastify's serializer), so the journal
 * decides by a fixed depth, the same on every Node line.
 */
export const JOURNAL_JSON_DEPTH = LIMITS.journalJsonDepth.value

/**
 * A body as a user reads it: the JSON value when the whole body is JSON no deeper than
 * JOURNAL_JSON_DEPTH, else its text, with a marker when it was cut. Never recurses over
 * client input.
 */
function bodyOf (kept: Buffer | string | undefined, size: number): unknown {
  if (kept === undefined || size === 0) return null
  const bytes = typeof kept === 'string' ? Buffer.from(kept) : kept
  const text = bytes.toString('utf8')
  if (size > bytes.length) return `${text}…[truncated: ${size} bytes in all]`
  if (deeperThan(bytes, JOURNAL_JSON_DEPTH)) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function headersOf (headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    // Lower case, as Node gives request headers: a response header may be sent in its own spelling.
    const lower = name.toLowerCase()
    if (value !== undefined) out[lower] = REDACTED.has(lower) ? '[REDACTED]' : String(value)
  }
  return out
}

/** Sizes of the large bodies sent, by their kept (cut) copy: a cut body shows the size sent. */
const sentSizes = new WeakMap<Buffer, number>()

function sentOf (kept: unknown): unknown {
  if (typeof kept === 'string') return bodyOf(kept, Buffer.byteLength(kept))
  if (Buffer.isBuffer(kept)) return bodyOf(kept, sentSizes.get(kept) ?? kept.length)
  return kept
}

function entryOf (r: JournalRecord): JournalEntry {
  const { request_id: requestId, time, durationMs, headers, body: received, bodySize, responseHeaders, responseBody, ...plain } = r
  const secret = r.operation !== null && SECRET_BODIES.has(r.operation)
  const body = bodyOf(received, bodySize)
  const sent = responseHeaders === null ? null : sentOf(responseBody)
  return {
    request_id: requestId,
    time: new Date(time).toISOString(),
    duration_ms: Math.round(durationMs * 1000) / 1000,
    ...plain,
    headers: headersOf(headers),
    body: secret && body !== null ? redactSecrets(body) : body,
    response: responseHeaders === null ? null : { headers: headersOf(responseHeaders), body: secret ? redactSecrets(sent) : sent }
  }
}

/** The filters a record is matched on by its own field of the same name (all but since and limit). */
const MATCHED = Object.keys(JournalFilterSchema.properties).filter((name) => name !== 'since' && name !== 'limit') as Array<keyof JournalRecord & keyof JournalFilter>

/** Whether a record passes the filters that do not depend on its place. */
function matches (r: JournalRecord, f: JournalFilter): boolean {
  for (const name of MATCHED) if (f[name] !== undefined && r[name] !== f[name]) return false
  return true
}

/** The longest a query may wait for a matching request. */
export const MAX_WAIT_MS = LIMITS.journalWait.value

interface Waiter { filter: JournalFilter, resolve: () => void }

/**
 * A bounded ring of the latest requests to the emulated API, oldest first. Recording keeps
 * references (bodies cut at 16 KiB), so memory is bounded by the size, response bodies included;
 * entries are shaped only when read.
 */
export class Journal {
  readonly #size: number
  #records: JournalRecord[] = []
  #next = 0
  readonly #waiters = new Set<Waiter>()
  /** The response body recorded last, and its kept part: repeated answers of a large cached body share one copy. */
  #lastSent: Buffer | undefined
  #lastKept: Buffer | undefined

  constructor (size: number) {
    this.#size = size
  }

  get enabled (): boolean { return this.#size > 0 }

  /**
   * A response body to keep, by reference: a JSON value (the small bodies the API builds), or
   * text or bytes cut to JOURNAL_BODY_LIMIT. A large Buffer answered again (a cluster's cached
   * ShowSyncIamUser body) shares the copy made the first time.
   */
  keepSent (sent: unknown): unknown {
    if (typeof sent === 'string') return sent.length * 3 <= JOURNAL_BODY_LIMIT ? sent : this.keepSent(Buffer.from(sent))
    if (!Buffer.isBuffer(sent) || sent.length <= JOURNAL_BODY_LIMIT) return sent
    if (sent !== this.#lastSent) {
      this.#lastSent = sent
      this.#lastKept = keepBody(sent)!
      sentSizes.set(this.#lastKept, sent.length)
    }
    return this.#lastKept
  }

  record (record: JournalRecord): void {
    if (this.#size === 0) return
    if (this.#records.length < this.#size) {
      this.#records.push(record)
    } else {
      this.#records[this.#next] = record
      this.#next = (this.#next + 1) % this.#size
    }
    if (this.#waiters.size !== 0) {
      for (const waiter of this.#waiters) if (matches(record, waiter.filter)) waiter.resolve()
    }
  }

  #ordered (): JournalRecord[] {
    return this.#next === 0 ? this.#records : [...this.#records.slice(this.#next), ...this.#records.slice(0, this.#next)]
  }

  /** The records that pass the filter, oldest first; `count` before `limit`. */
  find (filter: JournalFilter = {}): { count: number, records: JournalRecord[] } {
    let records = this.#ordered()
    if (filter.since !== undefined) {
      const at = records.findIndex((r) => r.request_id === filter.since)
      if (at !== -1) records = records.slice(at + 1)
    }
    const found = records.filter((r) => matches(r, filter))
    return { count: found.length, records: filter.limit === undefined ? found : found.slice(Math.max(0, found.length - filter.limit)) }
  }

  /** The entries that pass the filter, oldest first, as the control plane answers them. */
  entries (filter: JournalFilter = {}): { count: number, requests: JournalEntry[] } {
    const { count, records } = this.find(filter)
    return { count, requests: records.map(entryOf) }
  }

  /**
   * Resolves once a request that passes the filter (but `since` and `limit`: any new request is
   * after `since`) is recorded, or after `ms`, or when the waits are ended (the emulator closes).
   */
  waitFor (filter: JournalFilter, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        filter,
        resolve: () => {
          clearTimeout(timer)
          this.#waiters.delete(waiter)
          resolve()
        }
      }
      const timer = setTimeout(waiter.resolve, ms)
      this.#waiters.add(waiter)
    })
  }

  /** Ends every wait now (the emulator is closing). */
  endWaits (): void {
    for (const waiter of [...this.#waiters]) waiter.resolve()
  }

  /** Empties the journal, or drops the entries of one project. */
  clear (projectId?: string): void {
    const kept = projectId === undefined ? [] : this.#ordered().filter((r) => r.project_id !== projectId)
    this.#records = kept
    this.#next = 0
  }
}
