import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUtf8 } from 'node:buffer'
import sjson from 'secure-json-parse'

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact body bytes received: signatures are verified over them, never over a re-serialisation. */
    rawBody?: Buffer
  }
}

/** A body that could not be used; reported at body validation, after auth and path checks. */
export class InvalidBody {
  constructor (readonly reason: string) {}
}

function parseJson (raw: Buffer): unknown {
  if (!isUtf8(raw)) return new InvalidBody('The request body is not valid UTF-8.')
  const text = raw.toString('utf8')
  try {
    // Fastify's own protection against prototype poisoning, kept with the raw-bytes parser.
    const value: unknown = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
    return value === null ? new InvalidBody('body must be a JSON object') : value
  } catch (err) {
    const message = (err as Error).message
    return new InvalidBody(message.includes('forbidden')
      ? 'The request body has a forbidden __proto__ or constructor.prototype key.'
      : `The request body is not valid JSON: ${message}`)
  }
}

/**
 * Replaces Fastify's body parsers: bodies are kept as raw bytes and parsed here, an empty
 * body (what Huawei's Node SDK sends for an empty request, with Content-Type: application/json)
 * counts as no body, and parse errors wait for validation so that auth is checked first.
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
