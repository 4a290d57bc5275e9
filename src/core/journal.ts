import type { IncomingHttpHeaders } from 'node:http'
import { Type, type Static } from '@sinclair/typebox'
import { deeperThan } from './json-depth.js'
import { SECRET_HEADERS } from './secrets.js'

/** Bodies up to this size are kept whole; larger ones are cut here, with a marker. */
export const JOURNAL_BODY_LIMIT = 16 * 1024
const REDACTED = new Set(SECRET_HEADERS)

/** What the journal keeps of a request: cheap to record, shaped only when read. */
export interface JournalRecord {
  requestId: string
  time: number
  method: string
  path: string
  operation: string | null
  projectId: string | null
  clusterId: string | null
  status: number
  errorCode: string | null
  headers: IncomingHttpHeaders
  /** The body bytes, cut to JOURNAL_BODY_LIMIT; `bodySize` is the size received. */
  body: Buffer | undefined
  bodySize: number
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

/** A journal entry as `GET /_emulator/requests` answers it. */
export const JournalEntrySchema = Type.Object({
  request_id: Type.String(),
  time: Type.String({ description: 'When the answer was sent (ISO 8601).' }),
  method: Type.String(),
  path: Type.String({ description: 'Path and query as received (an absolute-form target in its origin form).' }),
  operation: Nullable(Type.String()),
  project_id: Nullable(Type.String()),
  cluster_id: Nullable(Type.String()),
  status: Type.Integer({ description: '0 when a fault dropped the connection.' }),
  error_code: Nullable(Type.String()),
  headers: Type.Record(Type.String(), Type.String(), { description: 'Secret headers are [REDACTED].' }),
  body: Type.Unknown({ description: 'The JSON body; its text when not JSON; cut with a marker past 16 KiB; null when none.' })
})
export type JournalEntry = Static<typeof JournalEntrySchema>

export interface JournalFilter { operation?: string, cluster_id?: string }

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
export const JOURNAL_JSON_DEPTH = 1000

/**
 * The body as a user reads it: the JSON value when the whole body is JSON no deeper than
 * JOURNAL_JSON_DEPTH, else its text, with a marker when it was cut. Never recurses over
 * client input.
 */
function bodyOf (record: JournalRecord): unknown {
  if (record.body === undefined || record.bodySize === 0) return null
  const text = record.body.toString('utf8')
  if (record.bodySize > record.body.length) return `${text}…[truncated: ${record.bodySize} bytes in all]`
  if (deeperThan(record.body, JOURNAL_JSON_DEPTH)) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function headersOf (headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name] = REDACTED.has(name) ? '[REDACTED]' : String(value)
  return out
}

/** A bounded ring of the latest requests to the emulated API, oldest first. */
export class Journal {
  readonly #size: number
  #records: JournalRecord[] = []
  #next = 0

  constructor (size: number) {
    this.#size = size
  }

  record (record: JournalRecord): void {
    if (this.#size === 0) return
    if (this.#records.length < this.#size) {
      this.#records.push(record)
    } else {
      this.#records[this.#next] = record
      this.#next = (this.#next + 1) % this.#size
    }
  }

  entries (filter: JournalFilter = {}): JournalEntry[] {
    const ordered = [...this.#records.slice(this.#next), ...this.#records.slice(0, this.#next)]
    return ordered
      .filter((r) => (filter.operation === undefined || r.operation === filter.operation) &&
        (filter.cluster_id === undefined || r.clusterId === filter.cluster_id))
      .map((r) => ({
        request_id: r.requestId,
        time: new Date(r.time).toISOString(),
        method: r.method,
        path: r.path,
        operation: r.operation,
        project_id: r.projectId,
        cluster_id: r.clusterId,
        status: r.status,
        error_code: r.errorCode,
        headers: headersOf(r.headers),
        body: bodyOf(r)
      }))
  }

  clear (): void {
    this.#records = []
    this.#next = 0
  }
}
