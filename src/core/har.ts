import { STATUS_CODES } from 'node:http'
import type { JournalEntry } from './journal.js'

/**
 * The journal as an HTTP Archive 1.2 document (http://www.softwareishard.com/blog/har-12-spec/),
 * for browser devtools and HAR viewers. Built from the entries as the journal shows them, so
 * secrets stay redacted and bodies are cut as there.
 */
export function toHar (entries: readonly JournalEntry[], version: string) {
  return {
    log: {
      version: '1.2',
      creator: { name: 'mrs-emulator', version },
      entries: entries.map(harEntry)
    }
  }
}

/**
 * The HAR document around its entries, as two texts (`{"log":{…,"entries":[` and `]}}`): the
 * control plane writes the entries between them one at a time.
 */
export function harHead (version: string): [string, string] {
  const empty = JSON.stringify(toHar([], version))
  const tail = ']}}'
  return [empty.slice(0, -tail.length), tail]
}

const pairs = (headers: Record<string, string>) => Object.entries(headers).map(([name, value]) => ({ name, value }))
const text = (body: unknown) => body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body)

/**
 * The request's URL: its Host and path as received. A Host that makes no URL (a port out of
 * range, a space) gives way to `localhost`; the path is never read as an authority (`//x`).
 */
function urlOf (entry: JournalEntry): URL {
  try {
    return new URL(`${entry.scheme}://${entry.headers.host ?? 'localhost'}${entry.path}`)
  } catch {
    return new URL(`${entry.scheme}://localhost${entry.path}`)
  }
}

export function harEntry (entry: JournalEntry) {
  const url = urlOf(entry)
  const sent = entry.response
  const requestText = text(entry.body)
  const responseText = sent === null ? '' : text(sent.body)
  const started = Date.parse(entry.time) - entry.duration_ms
  return {
    startedDateTime: new Date(started).toISOString(),
    time: entry.duration_ms,
    request: {
      method: entry.method,
      url: url.href,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: pairs(entry.headers),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      ...(entry.body === null ? {} : { postData: { mimeType: entry.headers['content-type'] ?? '', text: requestText } }),
      headersSize: -1,
      bodySize: Buffer.byteLength(requestText)
    },
    response: {
      status: entry.status,
      statusText: STATUS_CODES[entry.status] ?? '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: sent === null ? [] : pairs(sent.headers),
      content: { size: Buffer.byteLength(responseText), mimeType: sent?.headers['content-type'] ?? '', text: responseText },
      redirectURL: '',
      headersSize: -1,
      bodySize: sent === null ? 0 : Buffer.byteLength(responseText)
    },
    cache: {},
    timings: { send: 0, wait: entry.duration_ms, receive: 0 },
    // Which journal entry, and which fault rule acted: custom fields start with an underscore.
    _request_id: entry.request_id,
    _fault_id: entry.fault_id
  }
}
