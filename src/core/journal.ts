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
 * copy, as bytes (see `Journal`). The entry's plain fields (request_id, method, scheme, path, operation,
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
  /** The body sent, as it was noted (a JSON value, or its text or bytes); kept to JOURNAL_BODY_LIMIT bytes. */
  responseBody: unknown
  /**
   * The request came through Node's HTTP parser, which refuses a line break in a header value
   * and a colon in a name (Node checks the headers sent the same way); false or absent: an
   * in-process request (`inject`), whose headers may hold any character.
   */
  parsed?: boolean
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
  since: Type.Optional(Type.String({ description: 'A request id: only the requests recorded after it (all kept ones when it is no longer kept; after the newest of a repeated id).' })),
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
function bodyOf (bytes: Buffer, size: number): unknown {
  if (size === 0) return null
  const text = bytes.toString('utf8')
  if (size > bytes.length) return `${text}…[truncated: ${size} bytes in all]`
  if (deeperThan(bytes, JOURNAL_JSON_DEPTH)) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/**
 * Headers as one text, one of two ways. From Node's parser (and Node's own checks of the headers
 * sent), `name:value` lines: no value holds a line break and no name a colon. Otherwise (an
 * in-process request, `inject`, skips the parser), each name and value with its length before it
 * (`4:host9:localhost`), so that any character round-trips. Both cost less than their JSON.
 */
function headerText (headers: Record<string, unknown>, parsed: boolean): string {
  let text = ''
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined || value === null) continue
    // Most values are strings already: String() is a call into the runtime on every header.
    const shown = typeof value === 'string' ? value : String(value)
    if (parsed) {
      text += `${name}:${shown}\n`
    } else {
      text += `${name.length}:${name}${shown.length}:${shown}`
    }
  }
  return text
}

/** Headers as a user reads them, from their text (see headerText): names in lower case, secrets redacted. */
function headersOf (text: string, parsed: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  let at = 0
  /** A part written with its length before it: `<length>:<text>`. */
  const prefixed = (): string => {
    const colon = text.indexOf(':', at)
    const end = colon + 1 + Number(text.slice(at, colon))
    const part = text.slice(colon + 1, end)
    at = end
    return part
  }
  while (at < text.length) {
    let name: string
    let value: string
    if (parsed) {
      const colon = text.indexOf(':', at)
      const end = text.indexOf('\n', colon)
      name = text.slice(at, colon)
      value = text.slice(colon + 1, end)
      at = end + 1
    } else {
      name = prefixed()
      value = prefixed()
    }
    // Lower case, as Node gives request headers: a response header may be sent in its own spelling.
    const lower = name.toLowerCase()
    out[lower] = REDACTED.has(lower) ? '[REDACTED]' : value
  }
  return out
}

/**
 * What a kept record costs beyond its bytes: its places in the journal's index (seq, place,
 * length, status).
 */
export const RECORD_OVERHEAD = 32

/** The filters a record is matched on by its own field of the same name (all but since and limit). */
const MATCHED = Object.keys(JournalFilterSchema.properties).filter((name) => name !== 'since' && name !== 'limit') as Array<keyof JournalRecord & keyof JournalFilter>

/** Whether a request being recorded passes the filters that do not depend on its place. */
function matches (r: JournalRecord, f: JournalFilter): boolean {
  for (const name of MATCHED) if (f[name] !== undefined && r[name] !== f[name]) return false
  return true
}

/*
 * A kept record, in the journal's arena: a fixed head, then three parts, each a 32-bit length
 * (NONE: none) and its bytes: one text of the plain fields, one after another as FIELDS lists
 * them, then the headers' (see headerText), the request's and those sent; the request body as
 * received; and the body sent. The head has the text's pieces' lengths in UTF-16 units, as
 * JavaScript counts them, so that the decoded text is cut where it was joined, and a filter is
 * often decided by a length alone. One text and no JSON: each call into native code, and
 * JSON.stringify, costs more than the joining.
 *
 *   0  time (float64)     8  duration ms (float64)     16  body size received (uint32)
 *  20  what was sent: SENT_TEXT, SENT_CUT (its first JOURNAL_BODY_LIMIT bytes) or SENT_NONE (uint8)
 *  21  flags (uint8): WIDE, the text is UTF-16 (it has a lone surrogate, which UTF-8 cannot
 *      carry; else UTF-8); PARSED, the headers are lines (see headerText)
 *  24  the size sent, when cut (uint32)
 *  28  the lengths of the fields, then of the request's and the sent headers' texts (uint32 each; NONE: null)
 */
const LENGTHS = 28
const FIELDS = ['request_id', 'method', 'scheme', 'path', 'operation', 'project_id', 'cluster_id', 'error_code', 'fault_id'] as const
const HEADERS_AT = LENGTHS + 4 * FIELDS.length
const HEAD = HEADERS_AT + 8
const NONE = 0xffffffff
const SENT_TEXT = 0
const SENT_CUT = 1
const SENT_NONE = 2
const WIDE = 1
const PARSED = 2
/** A record's plain fields, as FIELDS lists them. */
type Fields = [request_id: string, method: string, scheme: JournalEntry['scheme'], path: string, operation: string | null,
  project_id: string | null, cluster_id: string | null, error_code: string | null, fault_id: string | null]
/** The text filters, by their place in FIELDS. */
const TEXT_FILTERS = [['method', 1], ['operation', 4], ['project_id', 5], ['cluster_id', 6], ['error_code', 7], ['fault_id', 8]] as const
const PROJECT_AT = 5

/** A text a field is compared with: its bytes too, to compare an ASCII record's field undecoded. */
interface Wanted { text: string, bytes: Buffer, ascii: boolean }
const wanted = (text: string): Wanted => {
  const bytes = Buffer.from(text)
  return { text, bytes, ascii: bytes.length === text.length }
}
/** A filter as a read compares records with it, made once a read. */
interface Filter { status: number | undefined, texts: Array<[at: number, wanted: Wanted]> }
function compiled (filter: JournalFilter): Filter {
  const texts: Filter['texts'] = []
  for (const [name, at] of TEXT_FILTERS) {
    const text = filter[name]
    if (text !== undefined) texts.push([at, wanted(text)])
  }
  return { status: filter.status, texts }
}
/** The arena's first size; it doubles as needed. */
const FIRST_ARENA = 64 * 1024
const FIRST_SLOTS = 256

interface Waiter { filter: JournalFilter, resolve: () => void }

/** A read of the journal in progress: the entries one by one, holding none of them. */
export interface JournalCursor {
  /** The matches when the read began (before `limit`). */
  readonly count: number
  /** The next entry; undefined at the end. Entries dropped from the journal meanwhile are left out. */
  next: () => JournalEntry | undefined
}

/** The longest a query may wait for a matching request. */
export const MAX_WAIT_MS = LIMITS.journalWait.value

/**
 * The latest requests to the emulated API, oldest first, bounded twice: by number (`size`) and
 * by the bytes they keep (`maxBytes`): past either, the oldest go.
 *
 * Each request is kept as bytes in one arena (a ring of records, see HEAD), with its seq,
 * place, length and status in typed arrays: recording makes no object that outlives the
 * request. (Kept as objects and strings, every request's record survived the young
 * generation's collections, which then grew it to its largest, 64 MB, and copied each record
 * twice before it died old.) Bodies are cut to JOURNAL_BODY_LIMIT, so that what a request costs
 * is known when it is recorded; entries are shaped only when read, one at a time by a cursor, so
 * that reading costs a bounded multiple of one entry, whatever the journal holds.
 */
export class Journal {
  readonly #size: number
  readonly #maxBytes: number
  #arena = Buffer.alloc(0)
  /** The arena, for numbers. */
  #view = new DataView(this.#arena.buffer)
  /** Where the next record goes in the arena. */
  #tail = 0
  /** The most bytes a record has been allowed (see #place). */
  #largest = 0
  /** The index, a ring of `#slots.length` places: the oldest record is at `#first`. */
  #seq = new Float64Array(0)
  #start = new Float64Array(0)
  #length = new Uint32Array(0)
  #status = new Uint16Array(0)
  #first = 0
  #count = 0
  #bytes = 0
  #nextSeq = 0
  readonly #waiters = new Set<Waiter>()

  constructor (size: number, maxBytes: number = LIMITS.journalBytes.value) {
    this.#size = size
    this.#maxBytes = maxBytes
  }

  get enabled (): boolean { return this.#size > 0 }
  /** What the records kept cost, in bytes (as counted against the budget). */
  get bytes (): number { return this.#bytes }
  get length (): number { return this.#count }

  record (record: JournalRecord): void {
    if (this.#size === 0) return
    const { body, responseHeaders } = record
    const parsed = record.parsed === true
    const headers = headerText(record.headers, parsed)
    const sentHeaders = responseHeaders === null ? '' : headerText(responseHeaders, parsed)
    const sent = responseHeaders === null ? undefined : sentText(record.responseBody)
    const kept = body === undefined ? 0 : Math.min(body.length, JOURNAL_BODY_LIMIT)
    const sentMost = sent === undefined ? 0 : typeof sent === 'string' ? Math.min(3 * sent.length, JOURNAL_BODY_LIMIT) : Math.min(sent.length, JOURNAL_BODY_LIMIT)
    const { request_id: id, method, scheme, path, operation, project_id: project, cluster_id: cluster, error_code: code, fault_id: fault } = record
    const text = `${id}${method}${scheme}${path}${operation ?? ''}${project ?? ''}${cluster ?? ''}${code ?? ''}${fault ?? ''}${headers}${sentHeaders}`
    const start = this.#place(HEAD + 12 + 3 * text.length + kept + sentMost)
    const arena = this.#arena
    const view = this.#view
    view.setFloat64(start, record.time, true)
    view.setFloat64(start + 8, record.durationMs, true)
    view.setUint32(start + 16, body === undefined ? NONE : body.length, true)
    view.setUint32(start + LENGTHS, id.length, true)
    view.setUint32(start + LENGTHS + 4, method.length, true)
    view.setUint32(start + LENGTHS + 8, scheme.length, true)
    view.setUint32(start + LENGTHS + 12, path.length, true)
    view.setUint32(start + LENGTHS + 16, operation === null ? NONE : operation.length, true)
    view.setUint32(start + LENGTHS + 20, project === null ? NONE : project.length, true)
    view.setUint32(start + LENGTHS + 24, cluster === null ? NONE : cluster.length, true)
    view.setUint32(start + LENGTHS + 28, code === null ? NONE : code.length, true)
    view.setUint32(start + LENGTHS + 32, fault === null ? NONE : fault.length, true)
    view.setUint32(start + HEADERS_AT, headers.length, true)
    view.setUint32(start + HEADERS_AT + 4, responseHeaders === null ? NONE : sentHeaders.length, true)
    // Nearly every text is well formed (a one-byte one always is: no scan); one that is not is
    // kept in UTF-16, as it was.
    const wide = !text.isWellFormed()
    arena[start + 21] = (wide ? WIDE : 0) | (parsed ? PARSED : 0)
    let at = start + HEAD
    const length = arena.write(text, at + 4, wide ? 'utf16le' : 'utf8')
    view.setUint32(at, length, true)
    at += 4 + length
    if (body === undefined) {
      view.setUint32(at, NONE, true)
      at += 4
    } else {
      view.setUint32(at, body.copy(arena, at + 4, 0, kept), true)
      at += 4 + kept
    }
    if (sent === undefined) {
      arena[start + 20] = SENT_NONE
      view.setUint32(at, 0, true)
      at += 4
    } else {
      // Text is written whole when it fits (whole characters up to the limit otherwise); bytes
      // past the limit are cut there.
      const written = typeof sent === 'string' ? arena.write(sent, at + 4, sentMost, 'utf8') : sent.copy(arena, at + 4, 0, sentMost)
      const size = typeof sent === 'string' ? (3 * sent.length > JOURNAL_BODY_LIMIT ? Buffer.byteLength(sent) : written) : sent.length
      arena[start + 20] = size > written ? SENT_CUT : SENT_TEXT
      view.setUint32(start + 24, size, true)
      view.setUint32(at, written, true)
      at += 4 + written
    }
    this.#tail = at
    const slot = this.#slot(this.#count)
    this.#count++
    this.#seq[slot] = this.#nextSeq++
    this.#start[slot] = start
    this.#length[slot] = at - start
    this.#status[slot] = record.status
    this.#bytes += at - start + RECORD_OVERHEAD
    while (this.#count > this.#size || this.#bytes > this.#maxBytes) this.#dropOldest()
    if (this.#waiters.size !== 0) {
      for (const waiter of this.#waiters) if (matches(record, waiter.filter)) waiter.resolve()
    }
  }

  /** The index's place of the record `i` records after the oldest; the index grows to hold `i`. */
  #slot (i: number): number {
    const slots = this.#seq.length
    if (i >= slots) this.#reindex(Math.max(FIRST_SLOTS, 2 * slots))
    return (this.#first + i) % this.#seq.length
  }

  /** The index in arrays of `slots` places, the oldest first. */
  #reindex (slots: number): void {
    const seq = new Float64Array(slots)
    const start = new Float64Array(slots)
    const length = new Uint32Array(slots)
    const status = new Uint16Array(slots)
    for (let i = 0; i < this.#count; i++) {
      const from = (this.#first + i) % this.#seq.length
      seq[i] = this.#seq[from]!
      start[i] = this.#start[from]!
      length[i] = this.#length[from]!
      status[i] = this.#status[from]!
    }
    this.#seq = seq
    this.#start = start
    this.#length = length
    this.#status = status
    this.#first = 0
  }

  /**
   * Where a record of at most `need` bytes goes: after the newest, or at the arena's start when
   * the end has no room and the start has (a ring). When the arena has no such place, it is
   * replaced by one that has, the records moved in order: twice as large, up to the byte budget
   * and room for the largest record twice. (An arena of that size always has a place: beside what
   * it keeps, the room left at its end by a wrap is less than the largest record.) So what the
   * journal holds stays within its budget and a few records.
   */
  #place (need: number): number {
    this.#largest = Math.max(this.#largest, need)
    const capacity = this.#arena.length
    if (this.#count === 0) {
      if (capacity >= need) return 0
    } else {
      const oldest = this.#start[this.#first]!
      if (this.#tail > oldest) {
        if (capacity - this.#tail >= need) return this.#tail
        if (oldest >= need) return 0
      } else if (oldest - this.#tail >= need) {
        return this.#tail
      }
    }
    let used = 0
    for (let i = 0; i < this.#count; i++) used += this.#length[(this.#first + i) % this.#seq.length]!
    let size = Math.max(FIRST_ARENA, capacity)
    while (size < used + 2 * need) size *= 2
    size = Math.min(size, this.#maxBytes + 2 * this.#largest)
    const arena = Buffer.allocUnsafeSlow(size)
    let at = 0
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#first + i) % this.#seq.length
      const from = this.#start[slot]!
      this.#arena.copy(arena, at, from, from + this.#length[slot]!)
      this.#start[slot] = at
      at += this.#length[slot]!
    }
    this.#arena = arena
    this.#view = new DataView(arena.buffer, arena.byteOffset, arena.length)
    this.#tail = at
    return at
  }

  #dropOldest (): void {
    this.#bytes -= this.#length[this.#first]! + RECORD_OVERHEAD
    this.#first = (this.#first + 1) % this.#seq.length
    this.#count--
  }

  /** A part of the record at index place `slot` (0: the text, 1: the body, 2: the body sent): its first and past-last byte; -1 when none. */
  #part (slot: number, part: number): [number, number] {
    const view = this.#view
    let at = this.#start[slot]! + HEAD
    for (let i = 0; i < part; i++) {
      const length = view.getUint32(at, true)
      at += 4 + (length === NONE ? 0 : length)
    }
    const length = view.getUint32(at, true)
    return length === NONE ? [-1, -1] : [at + 4, at + 4 + length]
  }

  /** The text of the record at `slot`, decoded. */
  #decoded (slot: number): string {
    const [from, to] = this.#part(slot, 0)
    return this.#arena.toString((this.#arena[this.#start[slot]! + 21]! & WIDE) === 0 ? 'utf8' : 'utf16le', from, to)
  }

  /** The length of a field of the record at `slot` (NONE: null). */
  #length16 (slot: number, field: number): number {
    return this.#view.getUint32(this.#start[slot]! + LENGTHS + 4 * field, true)
  }

  /** The plain fields of the record at `slot`. */
  #fields (slot: number, text = this.#decoded(slot)): Fields {
    const fields: Array<string | null> = []
    let at = 0
    for (let i = 0; i < FIELDS.length; i++) {
      const length = this.#length16(slot, i)
      fields.push(length === NONE ? null : text.slice(at, at += length))
    }
    return fields as Fields
  }

  /**
   * Whether a field of the record at `slot` is the wanted text: by its length first; then, when
   * the record's text is ASCII (one byte a character, so that a field's place in bytes is its
   * place in characters), by its bytes, without decoding; else decoded.
   */
  #fieldIs (slot: number, field: number, wanted: Wanted): boolean {
    const length = this.#length16(slot, field)
    if (length === NONE || length !== wanted.text.length) return false
    const [from, to] = this.#part(slot, 0)
    let place = 0
    let characters = 0
    // The fields' lengths, then the headers' (which may be NONE).
    for (let i = 0; i < FIELDS.length + 2; i++) {
      const each = this.#length16(slot, i)
      if (each === NONE) continue
      if (i < field) place += each
      characters += each
    }
    if (to - from === characters && wanted.ascii && (this.#arena[this.#start[slot]! + 21]! & WIDE) === 0) {
      return this.#arena.compare(wanted.bytes, 0, length, from + place, from + place + length) === 0
    }
    return this.#fields(slot)[field] === wanted.text
  }

  /** Whether the record at `slot` passes the filters that do not depend on its place. */
  #matches (slot: number, f: Filter): boolean {
    if (f.status !== undefined && this.#status[slot] !== f.status) return false
    for (const [at, wanted] of f.texts) if (!this.#fieldIs(slot, at, wanted)) return false
    return true
  }

  #entry (slot: number): JournalEntry {
    const arena = this.#arena
    const view = this.#view
    const start = this.#start[slot]!
    const text = this.#decoded(slot)
    const [requestId, method, scheme, path, operation, projectId, clusterId, errorCode, faultId] = this.#fields(slot, text)
    const requestHeaders = view.getUint32(start + HEADERS_AT, true)
    const sentHeaders = view.getUint32(start + HEADERS_AT + 4, true)
    const headersAt = text.length - requestHeaders - (sentHeaders === NONE ? 0 : sentHeaders)
    const parsed = (arena[start + 21]! & PARSED) !== 0
    const secret = operation !== null && SECRET_BODIES.has(operation)
    const bodySize = view.getUint32(start + 16, true)
    const [bodyFrom, bodyTo] = this.#part(slot, 1)
    const body = bodySize === NONE ? null : bodyOf(arena.subarray(bodyFrom, bodyTo), bodySize)
    let response: JournalEntry['response'] = null
    if (arena[start + 20] !== SENT_NONE) {
      const [from, to] = this.#part(slot, 2)
      const sent = bodyOf(arena.subarray(from, to), arena[start + 20] === SENT_CUT ? view.getUint32(start + 24, true) : to - from)
      response = { headers: headersOf(text.slice(headersAt + requestHeaders), parsed), body: secret ? redactSecrets(sent) : sent }
    }
    return {
      request_id: requestId,
      time: new Date(view.getFloat64(start, true)).toISOString(),
      duration_ms: Math.round(view.getFloat64(start + 8, true) * 1000) / 1000,
      method,
      scheme,
      path,
      operation,
      project_id: projectId,
      cluster_id: clusterId,
      status: this.#status[slot]!,
      error_code: errorCode,
      fault_id: faultId,
      headers: headersOf(text.slice(headersAt, headersAt + requestHeaders), parsed),
      body: secret && body !== null ? redactSecrets(body) : body,
      response
    }
  }

  /** The index place of the record `i` records after the oldest. */
  #at (i: number): number {
    return (this.#first + i) % this.#seq.length
  }

  /** The first record kept (as records after the oldest) whose seq is at least `seq`. */
  #after (seq: number): number {
    let low = 0
    let high = this.#count
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.#seq[this.#at(middle)]! < seq) low = middle + 1
      else high = middle
    }
    return low
  }

  /**
   * Where a filtered read starts and ends (seqs), and how many match: after `since` when it is
   * still kept, and the newest `limit` matches.
   */
  #range (filter: JournalFilter, f: Filter): { count: number, from: number, to: number } {
    let start = 0
    if (filter.since !== undefined) {
      // From the newest: a poll's since is a recent request (ids are unique; of a repeated one,
      // an injected generator's, the newest counts).
      const since = wanted(filter.since)
      for (let i = this.#count - 1; i >= 0; i--) {
        if (this.#fieldIs(this.#at(i), 0, since)) {
          start = i + 1
          break
        }
      }
    }
    let count = 0
    for (let i = start; i < this.#count; i++) if (this.#matches(this.#at(i), f)) count++
    let skip = filter.limit === undefined ? 0 : Math.max(0, count - filter.limit)
    while (skip > 0) if (this.#matches(this.#at(start++), f)) skip--
    const to = this.#count === 0 ? -1 : this.#seq[this.#at(this.#count - 1)]!
    return { count, from: start < this.#count ? this.#seq[this.#at(start)]! : to + 1, to }
  }

  /** A read of the entries that pass the filter, oldest first, one at a time. */
  cursor (filter: JournalFilter = {}): JournalCursor {
    const f = compiled(filter)
    const { count, from, to } = this.#range(filter, f)
    let next = from
    return {
      count,
      next: () => {
        for (let i = this.#after(next); i < this.#count; i++) {
          const slot = this.#at(i)
          const seq = this.#seq[slot]!
          if (seq > to) break
          if (this.#matches(slot, f)) {
            next = seq + 1
            return this.#entry(slot)
          }
        }
        next = to + 1
        return undefined
      }
    }
  }

  /** How many kept requests pass the filter. */
  count (filter: JournalFilter = {}): number {
    return this.#range(filter, compiled(filter)).count
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

  /** Empties the journal, or drops the entries of one project (the others keep their seqs). */
  clear (projectId?: string): void {
    const kept: number[] = []
    if (projectId !== undefined) {
      const project = wanted(projectId)
      for (let i = 0; i < this.#count; i++) {
        const slot = this.#at(i)
        if (!this.#fieldIs(slot, PROJECT_AT, project)) kept.push(slot)
      }
    }
    let used = 0
    for (const slot of kept) used += this.#length[slot]!
    const arena = kept.length === 0 ? Buffer.alloc(0) : Buffer.allocUnsafeSlow(Math.max(FIRST_ARENA, 2 * used))
    const slots = Math.max(FIRST_SLOTS, kept.length)
    const seq = new Float64Array(slots)
    const start = new Float64Array(slots)
    const length = new Uint32Array(slots)
    const status = new Uint16Array(slots)
    let at = 0
    kept.forEach((slot, i) => {
      this.#arena.copy(arena, at, this.#start[slot]!, this.#start[slot]! + this.#length[slot]!)
      seq[i] = this.#seq[slot]!
      start[i] = at
      length[i] = this.#length[slot]!
      status[i] = this.#status[slot]!
      at += length[i]!
    })
    this.#arena = arena
    this.#view = new DataView(arena.buffer, arena.byteOffset, arena.length)
    this.#tail = at
    this.#seq = seq
    this.#start = start
    this.#length = length
    this.#status = status
    this.#first = 0
    this.#count = kept.length
    this.#bytes = used + kept.length * RECORD_OVERHEAD
  }
}

/** The body sent, as noted (`sentBody`): its text or bytes (a JSON value as its JSON text; '' when nothing was noted). */
function sentText (sent: unknown): string | Buffer {
  if (typeof sent === 'string' || Buffer.isBuffer(sent)) return sent
  // JSON.stringify(undefined) is undefined: nothing was noted.
  return JSON.stringify(sent) as string | undefined ?? ''
}
