import fc from 'fast-check'
import t from 'tap'
import type { AuthRequest } from '../../src/core/auth.js'
import { authenticateBoth } from '../helpers.js'
import { signRequest, type SigningKey } from '../../src/core/signature.js'
import { strictAuthenticator } from '../../src/core/strict-auth.js'

const NOW = Date.UTC(2024, 2, 1, 10, 11, 12)
const P = 'p1'
const strict = strictAuthenticator(() => [{ access_key: 'AK', secret_key: 'SK', project_id: P }], () => NOW)
const authenticate = (request: AuthRequest) => authenticateBoth(strict, request)
const KEYS: SigningKey[] = [
  { algorithm: 'SDK-HMAC-SHA256', accessKey: 'AK', secretKey: 'SK', date: '20240301T101112Z' },
  { algorithm: 'V11-HMAC-SHA256', accessKey: 'AK', secretKey: 'SK', date: '20240301T101112Z', scope: '20240301/region/mrs' }
]
// Not hex digits: changing the case of a %XX escape is no change at all.
const REPLACEMENTS = 'ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ'

const pathSegment = fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent)
const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
  path: fc.array(pathSegment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join('/')}`),
  query: fc.array(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
  headers: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9 ,;=/]{0,20}[A-Za-z0-9])?$/), { maxKeys: 4 }),
  body: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  key: fc.constantFrom(...KEYS)
})

type Request = typeof request extends fc.Arbitrary<infer T> ? T : never

function signed (r: Request): AuthRequest {
  const url = r.query === '' ? r.path : `${r.path}?${r.query}`
  const headers = signRequest({ method: r.method, url, headers: { host: 'emulator', ...r.headers }, body: r.body }, r.key)
  return { method: r.method, url, headers, body: r.body, projectId: P }
}

/** One byte of a string replaced by a letter that differs from it. */
const mutate = (value: string, at: number, pick: number) => {
  const i = at % value.length
  const options = REPLACEMENTS.replace(value[i]!, '')
  return value.slice(0, i) + options[pick % options.length] + value.slice(i + 1)
}

t.test('random requests sign and verify', async () => {
  fc.assert(fc.property(request, (r) => authenticate(signed(r)) === undefined), { numRuns: 500 })
})

t.test('any one-byte change to what was signed is refused', async () => {
  fc.assert(fc.property(request, fc.constantFrom('method', 'path', 'query', 'header', 'body'), fc.nat(), fc.nat(), (r, part, at, pick) => {
    const req = signed(r)
    switch (part) {
      case 'method': req.method = req.method === 'GET' ? 'POST' : 'GET'; break
      case 'path': req.url = mutate(r.path, at, pick) + (r.query === '' ? '' : `?${r.query}`); break
      case 'query': req.url = `${r.path}?${r.query === '' ? 'x' : mutate(r.query, at, pick)}`; break
      case 'header': {
        const names = Object.keys(r.headers)
        const name = names.length === 0 ? 'host' : names[at % names.length]!
        req.headers[name] = mutate(String(req.headers[name]), pick, at)
        break
      }
      case 'body': {
        const body = Buffer.from(r.body.length === 0 ? [0] : r.body)
        if (r.body.length > 0) body[at % body.length] = (body[at % body.length]! + 1 + (pick % 255)) % 256
        req.body = body
        break
      }
    }
    return authenticate(req)?.code === 'APIGW.0301'
  }), { numRuns: 1000 })
})
