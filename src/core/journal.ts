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
 * What the journal is told of a request, as the request and reply hold it; it keeps its own
 * compact copy (see `Kept`). The entry's plain fields (request_id, method, scheme, path, operation,
 * ids, status, error_code, fault_id) are kept as they are shown.
 */
export interface JournalRecord extends Omit<JournalEntry, 'time' | 'duration_ms' | 'headers' | 'body' | 'response'> {
  /** When the answer was sent, on the emulator's clock. */
  time: number
  durationMs: number
  headers: IncomingHttpHeaders
  /** The body bytes received, whole (the journal keeps JOURNAL_BODY_LIMIT of them). */
  body: Buffer | undefined
  /** The headers sent; null when nothing was (a dropped connection). */
  responseHeaders: Record<string, unknown> | null
  /** The body sent, as it was noted (a JSON value, or its text or bytes): see `Journal.keepSent`. */
  responseBody: unknown
}

/**
 * What the journal keeps of a request: text and numbers, no object graph (a per-request graph
 * is what the scavenger copies, and what an attacker's thousand tiny headers would multiply),
 * and `bytes`, what it costs, counted against the journal's byte budget.
 */
interface Kept extends Omit<JournalRecord, 'headers' | 'body' | 'responseHeaders' | 'responseBody'> {
  seq: number
  bytes: number
  /** The request headers as JSON text. */
  headers: string
  /** The body bytes kept, as Latin-1 text (one byte per character); `bodySize` is the size received. */
  body: string | undefined
  bodySize: number
  responseHeaders: string | null
  /** The body sent, kept: its text, or its bytes cut to JOURNAL_BODY_LIMIT. */
  responseBody: KeptSent
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
  scheme: Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'https for a request over TLS (--tls), on the same port as http.' }),
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

function headersOf (json: string): Record<string, string> {
  const headers = JSON.parse(json) as Record<string, unknown>
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    // Lower case, as Node gives request headers: a response header may be sent in its own spelling.
    const lower = name.toLowerCase()
    if (value !== undefined && value !== null) out[lower] = REDACTED.has(lower) ? '[REDACTED]' : String(value)
  }
  return out
}

/**
 * A body sent as the journal keeps it: its text, or, past JOURNAL_BODY_LIMIT, its first bytes
 * as Latin-1 text (one byte a character, and no buffer, whose memory a string's length would not
 * tell) and the size sent.
 */
export type KeptSent = string | { readonly bytes: string, readonly size: number }

function sentOf (kept: KeptSent): unknown {
  if (typeof kept === 'string') return bodyOf(kept, Buffer.byteLength(kept))
  return bodyOf(Buffer.from(kept.bytes, 'latin1'), kept.size)
}

function entryOf (r: Kept): JournalEntry {
  const { request_id: requestId, time, durationMs, headers, body: received, bodySize, responseHeaders, responseBody, seq: _seq, bytes: _bytes, ...plain } = r
  const secret = r.operation !== null && SECRET_BODIES.has(r.operation)
  const body = bodyOf(received === undefined ? undefined : Buffer.from(received, 'latin1'), bodySize)
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

/**
 * What a kept record costs beyond its text: the object, its numbers, and the short strings it
 * shares with the request (measured: bench/journal-memory.ts).
 */
export const RECORD_OVERHEAD = 600
/** What a cut body sent costs beyond its bytes: its object (shared by the answers of one cached body). */
const SENT_OVERHEAD = 64

/** The filters a record is matched on by its own field of the same name (all but since and limit). */
const MATCHED = Object.keys(JournalFilterSchema.properties).filter((name) => name !== 'since' && name !== 'limit') as Array<keyof Kept & keyof JournalFilter>

/** Whether a record passes the filters that do not depend on its place. */
function matches (r: Kept, f: JournalFilter): boolean {
  for (const name of MATCHED) if (f[name] !== undefined && r[name] !== f[name]) return false
  return true
}

/** The longest a query may wait for a matching request. */
export const MAX_WAIT_MS = LIMITS.journalWait.value

interface Waiter { filter: JournalFilter, resolve: () => void }

/** A read of the journal in progress: the entries one by one, holding none of them. */
export interface JournalCursor {
  /** The matches when the read began (before `limit`). */
  readonly count: number
  /** The next entry; undefined at the end. Entries dropped from the journal meanwhile are left out. */
  next: () => JournalEntry | undefined
}

/**
 * The latest requests to the emulated API, oldest first, bounded twice: by number (`size`) and
 * by the bytes they keep (`maxBytes`): past either, the oldest go. Each request is kept as text
 * cut to JOURNAL_BODY_LIMIT a body, so that what a request costs is known when it is recorded;
 * entries are shaped only when read, one at a time by a cursor, so that reading costs a bounded
 * multiple of one entry, whatever the journal holds.
 */
export class Journal {
  readonly #size: number
  readonly #maxBytes: number
  /** The records kept are `#records[#head…]`, in the order recorded (and of `seq`). */
  #records: Array<Kept | undefined> = []
  #head = 0
  #bytes = 0
  #seq = 0
  readonly #waiters = new Set<Waiter>()
  /** The response body recorded last, and its kept part: repeated answers of a large cached body share one copy. */
  #lastSent: Buffer | undefined
  #lastKept: KeptSent | undefined

  constructor (size: number, maxBytes: number = LIMITS.journalBytes.value) {
    this.#size = size
    this.#maxBytes = maxBytes
  }

  get enabled (): boolean { return this.#size > 0 }
  /** What the records kept cost, in bytes (as counted against the budget). */
  get bytes (): number { return this.#bytes }
  get length (): number { return this.#records.length - this.#head }

  /**
   * A response body to keep: its text (a JSON value is written as JSON), or, past
   * JOURNAL_BODY_LIMIT, its bytes cut there. A large Buffer answered again (a cluster's cached
   * ShowSyncIamUser body) shares the copy made the first time.
   */
  keepSent (sent: unknown): KeptSent {
    if (typeof sent === 'string') return sent.length * 3 <= JOURNAL_BODY_LIMIT ? sent : this.keepSent(Buffer.from(sent))
    // JSON.stringify(undefined) is undefined: nothing was noted.
    if (!Buffer.isBuffer(sent)) return this.keepSent(JSON.stringify(sent) as string | undefined ?? '')
    // A small buffer is kept as its text: it may be a slice of a larger one it would keep alive.
    if (sent.length <= JOURNAL_BODY_LIMIT) return sent.toString()
    if (sent !== this.#lastSent) {
      this.#lastSent = sent
      this.#lastKept = { bytes: sent.toString('latin1', 0, JOURNAL_BODY_LIMIT), size: sent.length }
    }
    return this.#lastKept!
  }

  record (record: JournalRecord): void {
    if (this.#size === 0) return
    // Field by field: a rest pattern and a spread here cost ~700 ns a request, as much as the
    // rest of the record together.
    const { body, responseHeaders, responseBody } = record
    const kept: Kept = {
      request_id: record.request_id,
      time: record.time,
      durationMs: record.durationMs,
      method: record.method,
      scheme: record.scheme,
      path: record.path,
      operation: record.operation,
      project_id: record.project_id,
      cluster_id: record.cluster_id,
      status: record.status,
      error_code: record.error_code,
      fault_id: record.fault_id,
      seq: this.#seq++,
      bytes: 0,
      headers: JSON.stringify(record.headers),
      body: body === undefined ? undefined : body.toString('latin1', 0, JOURNAL_BODY_LIMIT),
      bodySize: body?.length ?? 0,
      responseHeaders: responseHeaders === null ? null : JSON.stringify(responseHeaders),
      responseBody: typeof responseBody === 'string' && responseBody.length * 3 <= JOURNAL_BODY_LIMIT ? responseBody : this.keepSent(responseBody)
    }
    const sent = kept.responseBody
    // Request headers, path and body are Latin-1 text (one byte a character); the body sent may
    // not be, and is counted at two.
    kept.bytes = RECORD_OVERHEAD + kept.headers.length + kept.path.length + (kept.body?.length ?? 0) +
      (kept.responseHeaders?.length ?? 0) + (typeof sent === 'string' ? 2 * sent.length : SENT_OVERHEAD + sent.bytes.length)
    this.#records.push(kept)
    this.#bytes += kept.bytes
    while (this.length > this.#size || this.#bytes > this.#maxBytes) this.#dropOldest()
    if (this.#waiters.size !== 0) {
      for (const waiter of this.#waiters) if (matches(kept, waiter.filter)) waiter.resolve()
    }
  }

  #dropOldest (): void {
    this.#bytes -= this.#records[this.#head]!.bytes
    this.#records[this.#head++] = undefined
    // Now and then, the dropped places go (amortised: each record is moved at most once more).
    if (this.#head >= 1024 && this.#head * 2 >= this.#records.length) {
      this.#records = this.#records.slice(this.#head)
      this.#head = 0
    }
  }

  /** The place of the first record kept whose seq is at least `seq`. */
  #at (seq: number): number {
    let low = this.#head
    let high = this.#records.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.#records[middle]!.seq < seq) low = middle + 1
      else high = middle
    }
    return low
  }

  /**
   * Where a filtered read starts and ends (seqs), and how many match: after `since` when it is
   * still kept, and the newest `limit` matches.
   */
  #range (filter: JournalFilter): { count: number, from: number, to: number } {
    const records = this.#records
    let start = this.#head
    if (filter.since !== undefined) {
      for (let i = start; i < records.length; i++) {
        if (records[i]!.request_id === filter.since) {
          start = i + 1
          break
        }
      }
    }
    let count = 0
    for (let i = start; i < records.length; i++) if (matches(records[i]!, filter)) count++
    let skip = filter.limit === undefined ? 0 : Math.max(0, count - filter.limit)
    while (skip > 0) if (matches(records[start++]!, filter)) skip--
    const to = records.length === 0 ? -1 : records[records.length - 1]!.seq
    return { count, from: start < records.length ? records[start]!.seq : to + 1, to }
  }

  /** A read of the entries that pass the filter, oldest first, one at a time. */
  cursor (filter: JournalFilter = {}): JournalCursor {
    const { count, from, to } = this.#range(filter)
    let next = from
    return {
      count,
      next: () => {
        for (let i = this.#at(next); i < this.#records.length; i++) {
          const record = this.#records[i]!
          if (record.seq > to) break
          if (matches(record, filter)) {
            next = record.seq + 1
            return entryOf(record)
          }
        }
        next = to + 1
        return undefined
      }
    }
  }

  /** How many kept requests pass the filter. */
  count (filter: JournalFilter = {}): number {
    return this.#range(filter).count
  }

  /** The entries that pass the filter, oldest first, all at once (in-process callers; the control plane reads with a cursor). */
  entries (filter: JournalFilter = {}): { count: number, requests: JournalEntry[] } {
    const cursor = this.cursor(filter)
    const requests: JournalEntry[] = []
    for (let entry = cursor.next(); entry !== undefined; entry = cursor.next()) requests.push(entry)
    return { count: cursor.count, requests }
  }

  /**
   * Resolves once a request that passes the filter (but `since` and `limit`: any new request is
   * after `since`) is recorded, or after `ms`, or once `gone` aborts (the client went away), or
   * when the waits are ended (the emulator closes).
   */
  waitFor (filter: JournalFilter, ms: number, gone?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        filter,
        resolve: () => {
          clearTimeout(timer)
          gone?.removeEventListener('abort', waiter.resolve)
          this.#waiters.delete(waiter)
          resolve()
        }
      }
      const timer = setTimeout(waiter.resolve, ms)
      this.#waiters.add(waiter)
      gone?.addEventListener('abort', waiter.resolve, { once: true })
    })
  }

  /** Ends every wait now (the emulator is closing). */
  endWaits (): void {
    for (const waiter of [...this.#waiters]) waiter.resolve()
  }

  /** Empties the journal, or drops the entries of one project. */
  clear (projectId?: string): void {
    const kept: Kept[] = []
    if (projectId !== undefined) {
      for (let i = this.#head; i < this.#records.length; i++) {
        const record = this.#records[i]!
        if (record.project_id !== projectId) kept.push(record)
      }
    }
    this.#records = kept
    this.#head = 0
    this.#bytes = kept.reduce((sum, record) => sum + record.bytes, 0)
  }
}
