import type { IncomingHttpHeaders } from 'node:http'

/** Bodies up to this size are kept whole; larger ones are cut here, with a marker. */
export const JOURNAL_BODY_LIMIT = 16 * 1024
const REDACTED = new Set(['authorization', 'x-auth-token', 'x-security-token'])

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

export interface JournalEntry {
  request_id: string
  time: string
  method: string
  path: string
  operation: string | null
  project_id: string | null
  cluster_id: string | null
  status: number
  error_code: string | null
  headers: Record<string, string>
  body: unknown
}

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

/** The deepest nesting of arrays and objects in JSON text, counted without recursion. */
function nesting (text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return deepest
}

/**
 * The body as a user reads it: the JSON value when the whole body is JSON no deeper than
 * JOURNAL_JSON_DEPTH, else its text, with a marker when it was cut. Never recurses over
 * client input.
 */
function bodyOf (record: JournalRecord): unknown {
  if (record.body === undefined || record.bodySize === 0) return null
  const text = record.body.toString('utf8')
  if (record.bodySize > record.body.length) return `${text}…[truncated: ${record.bodySize} bytes in all]`
  if (nesting(text) > JOURNAL_JSON_DEPTH) return text
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
