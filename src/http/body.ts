import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUtf8 } from 'node:buffer'
import sjson from 'secure-json-parse'
import { deeperThan } from '../core/json-depth.js'
import { jsonSyntaxMessage } from '../core/json-syntax.js'
import { LIMITS } from '../core/limits.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact body bytes received: signatures are verified over them, never over a re-serialisation. */
    rawBody?: Buffer
  }
}

/** The documented body limit of the gateway. */
export const BODY_LIMIT = LIMITS.body.value

/** JSON nested deeper than this is refused before it is parsed. The API's bodies nest two levels. */
export const MAX_JSON_DEPTH = LIMITS.jsonDepth.value

/** A body that could not be used; reported at body validation, after auth and path checks. */
export class InvalidBody {
  constructor (readonly reason: string) {}
}

/**
 * Whether JSON text cannot hold what secure-json-parse looks for: its screens are regular
 * expressions for `"__proto__"` and `"constructor"` keys, each letter either itself or a
 * `\u` escape, and a BOM it strips. Without a backslash, neither word and no BOM, JSON.parse
 * gives what secure-json-parse would. Three native searches instead of its two expressions:
 * ~12% of the instructions of a 1,000-name body, the same on a small one (bench/RESULTS.md).
 */
const innocent = (text: string) =>
  text.indexOf('\\') === -1 && text.indexOf('__proto__') === -1 && text.indexOf('constructor') === -1 && text.charCodeAt(0) !== 0xfeff

/** What secure-json-parse throws for a `__proto__` or `constructor.prototype` key. */
const FORBIDDEN_KEY = 'Object contains forbidden prototype property'

function parseJson (raw: Buffer): unknown {
  if (!isUtf8(raw)) return new InvalidBody('The request body is not valid UTF-8.')
  if (deeperThan(raw, MAX_JSON_DEPTH)) return new InvalidBody(`The request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels.`)
  const text = raw.toString('utf8')
  try {
    // Fastify's own protection against prototype poisoning, kept with the raw-bytes parser.
    const value: unknown = innocent(text) ? JSON.parse(text) : sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
    return value === null ? new InvalidBody('body must be a JSON object') : value
  } catch (err) {
    const message = (err as Error).message
    // secure-json-parse's own words; V8's syntax errors quote the text, which may say "forbidden" too.
    return new InvalidBody(message === FORBIDDEN_KEY
      ? 'The request body has a forbidden __proto__ or constructor.prototype key.'
      : `The request body is not valid JSON at ${jsonSyntaxMessage(text, err as Error)}`)
  }
}

/**
 * Replaces Fastify's body parsers: bodies are kept as raw bytes and parsed here, an empty
 * body (what Huawei's Node SDK sends for an empty request, with Content-Type: application/json)
 * counts as no body, and parse errors wait for validation so that the signature is checked first.
 */
export function registerBodyParsers (app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, raw: Buffer, done) => {
    request.rawBody = raw
    done(null, raw.length === 0 ? undefined : parseJson(raw))
  })
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, raw: Buffer, done) => {
    request.rawBody = raw
    const type = request.headers['content-type'] ?? '(none)'
    done(null, raw.length === 0 ? undefined : new InvalidBody(`Unsupported Content-Type: ${type}; the body must be application/json.`))
  })
}

/** Whether the request announces a body (Fastify reads none for a GET, and none without these headers). */
export const announcesBody = (raw: IncomingMessage) =>
  raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0

/**
 * Reads a body Fastify does not (a GET's, which the SDKs sign if they send one, or one a fault
 * answers before parsing): its bytes, or undefined once it passes `limit`. Stops collecting
 * there, without destroying the request: the rest is left to the early answer's lingering close.
 */
export function readBody (raw: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = () => {
      raw.off('data', onData)
      raw.off('end', onEnd)
      raw.off('error', onGone)
      raw.off('close', onGone)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) {
        chunks.push(chunk)
        return
      }
      stop()
      resolve(undefined)
    }
    const onEnd = () => {
      stop()
      resolve(Buffer.concat(chunks))
    }
    // The client went away before the body ended ('error', 'close' or both, depending on timing).
    const onGone = () => {
      stop()
      reject(new Error('The client closed the connection before the body ended.'))
    }
    raw.on('data', onData)
    raw.on('end', onEnd)
    raw.on('error', onGone)
    raw.on('close', onGone)
  })
}
