import { createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto'

/**
 * Huawei Cloud's AK/SK request signing (`SDK-HMAC-SHA256` and `V11-HMAC-SHA256`), as the
 * official SDKs compute it. The canonical request is built from the request as received:
 * the wire path and query, the headers listed in SignedHeaders and the exact body bytes.
 */

export type SigningAlgorithm = 'SDK-HMAC-SHA256' | 'V11-HMAC-SHA256'

export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

export interface SignableRequest {
  method: string
  /** Path and query as sent on the wire. */
  url: string
  /** Header values by lower-case name. */
  headers: Record<string, string | string[] | undefined>
  body: Buffer | string | undefined
}

// Node's one-shot hash: half the time of createHash().update().digest() on a small input.
export const sha256Hex = (data: Buffer | string) => hash('sha256', data, 'hex')
export const hmacHex = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest('hex')

/** Percent-encodes all but `A-Za-z0-9-._~`, UTF-8, upper-case hex: the SDKs' `urlEncode`. */
export function encode (value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function decode (value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value // not valid percent-encoding: signed as received
  }
}

/** The path made canonical last: a client's requests mostly go to the same cluster's path. */
let lastPath = ''
let lastUri = '/'

/** Each path segment encoded, always ending in `/` though the wire path has none. */
export function canonicalUri (path: string): string {
  if (path === lastPath) return lastUri
  const uri = path.split('/').map((segment) => encode(decode(segment))).join('/')
  lastUri = uri.endsWith('/') ? uri : `${uri}/`
  lastPath = path
  return lastUri
}

/** Keys sorted, repeated keys' values sorted, `k=v` encoded, joined by `&`. */
export function canonicalQuery (query: string): string {
  const params = new Map<string, string[]>()
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const at = pair.indexOf('=')
    const key = decode(at === -1 ? pair : pair.slice(0, at))
    const value = at === -1 ? '' : decode(pair.slice(at + 1))
    params.set(key, [...(params.get(key) ?? []), value])
  }
  return [...params.keys()].sort().flatMap((key) =>
    params.get(key)!.sort().map((value) => `${encode(key)}=${encode(value)}`)).join('&')
}

/** A header's value as signed: trimmed; a repeated header (an array) joined by commas. */
function headerValue (value: string | string[] | undefined): string | undefined {
  return value === undefined ? undefined : String(value).trim()
}

/** The SignedHeaders list joined last, and a copy of it: a client signs the same names every time. */
let lastList: string[] = []
let lastJoined = ''

/** `names` joined by `;`, as the canonical request's line. */
function joined (names: readonly string[]): string {
  // Compared by content, not by the array: a list changed after an earlier call is joined again.
  let same = names.length === lastList.length
  for (let i = 0; same && i < names.length; i++) same = names[i] === lastList[i]
  if (!same) {
    lastList = [...names]
    lastJoined = names.join(';')
  }
  return lastJoined
}

/** The canonical request; undefined when a signed header is absent from the request. */
export function canonicalRequest (request: SignableRequest, signedHeaders: readonly string[]): string | undefined {
  const at = request.url.indexOf('?')
  const path = at === -1 ? request.url : request.url.slice(0, at)
  const query = at === -1 ? '' : request.url.slice(at + 1)
  let headers = ''
  for (const name of signedHeaders) {
    const value = headerValue(request.headers[name])
    if (value === undefined) return undefined
    headers += `${name}:${value}\n`
  }
  const contentSha256 = headerValue(request.headers['x-sdk-content-sha256'])
  const payloadHash = contentSha256 ?? (request.body === undefined || request.body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(request.body))
  return `${request.method}\n${canonicalUri(path)}\n${canonicalQuery(query)}\n${headers}\n${joined(signedHeaders)}\n${payloadHash}`
}

/** `V11-HMAC-SHA256` scope: `<YYYYMMDD>/<region>/<service>`. */
export function derivedKey (accessKey: string, secretKey: string, scope: string): string {
  return Buffer.from(hkdfSync('sha256', secretKey, accessKey, scope, 32)).toString('hex')
}

export interface SigningKey {
  algorithm: SigningAlgorithm
  accessKey: string
  secretKey: string
  /** The X-Sdk-Date value, `YYYYMMDDTHHMMSSZ`. */
  date: string
  /** V11 only: `<YYYYMMDD>/<region>/<service>`. */
  scope?: string
}

/** The hex signature of a canonical request. */
export function signatureOf (canonical: string, key: SigningKey): string {
  const digest = sha256Hex(canonical)
  if (key.algorithm === 'SDK-HMAC-SHA256') {
    return hmacHex(key.secretKey, `${key.algorithm}\n${key.date}\n${digest}`)
  }
  const scope = key.scope!
  return hmacHex(derivedKey(key.accessKey, key.secretKey, scope), `${key.algorithm}\n${key.date}\n${scope}\n${digest}`)
}

/** Compares two hex signatures in constant time. */
export function sameSignature (a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * Signs a request as the SDKs do: every header given is signed (names lower-cased), plus
 * `x-sdk-date`. Answers the headers to send, `Authorization` included. For tests, benchmarks
 * and clients that want to talk to the emulator in strict mode without an SDK.
 */
export function signRequest (request: SignableRequest, key: SigningKey): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = headerValue(value)!
  }
  headers['x-sdk-date'] = key.date
  const signed = Object.keys(headers).sort()
  const signature = signatureOf(canonicalRequest({ ...request, headers }, signed)!, key)
  const credential = key.algorithm === 'SDK-HMAC-SHA256' ? `Access=${key.accessKey}` : `Credential=${key.accessKey}/${key.scope}`
  headers.authorization = `${key.algorithm} ${credential}, SignedHeaders=${signed.join(';')}, Signature=${signature}`
  return headers
}
