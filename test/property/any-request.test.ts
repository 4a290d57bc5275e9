import fc from 'fast-check'
import t from 'tap'
import { build, CLUSTER, PROJECT } from '../helpers.js'

/** The 5xx answers the API documents; anything else (12000004 included) is a bug. */
const DOCUMENTED_5XX = new Set(['12000154', '12000156', '12000157'])

const segment = fc.oneof(
  fc.constantFrom(PROJECT, CLUSTER, 'v2', 'clusters', 'iam-sync-user', 'iam-sync', 'is-synchronous', '_emulator', ''),
  fc.string({ unit: 'binary', maxLength: 80 }).map(encodeURIComponent)
)
const path = fc.oneof(
  fc.tuple(segment, segment, segment).map(([p, c, op]) => `/v2/${p}/clusters/${c}/${op}`),
  fc.tuple(fc.constantFrom('iam-sync-user', 'iam-sync', 'iam-sync/is-synchronous'), segment).map(([op, c]) => `/v2/${PROJECT}/clusters/${c}/${op}`),
  fc.array(segment, { maxLength: 7 }).map((parts) => `/${parts.join('/')}`)
)
const deep = fc.integer({ min: 1, max: 100_000 }).map((n) => '['.repeat(n) + ']'.repeat(n))
const jsonish = fc.oneof(
  fc.json(),
  deep,
  fc.constantFrom('{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"user_names":["a"],"user_names":["b"]}',
    '{"user_names":[1e999]}', '{"group_names":["' + 'x'.repeat(10_000) + '"]}', '{"user_names":null}', '', ' ', 'null', '123456789012345678901234567890'),
  fc.record({ user_names: fc.array(fc.string(), { maxLength: 1200 }), group_names: fc.array(fc.string(), { maxLength: 5 }) }).map((b) => JSON.stringify(b))
)
const body = fc.oneof(jsonish.map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)))
const headers = fc.record({
  'x-auth-token': fc.option(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).filter((s) => !/[\r\n]/.test(s)), { nil: undefined }),
  'content-type': fc.option(fc.constantFrom('application/json', 'application/json;charset=UTF-8', 'text/plain', 'application/', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'), { nil: undefined }),
  authorization: fc.option(fc.constantFrom('SDK-HMAC-SHA256 garbage', 'Bearer x', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${'0'.repeat(64)}`), { nil: undefined }),
  'x-sdk-date': fc.option(fc.constantFrom('20240101T000000Z', 'yesterday'), { nil: undefined })
}, { requiredKeys: [] })

t.test('any request gets a JSON answer with a string error_code, or a documented success', async (t) => {
  const app = await build(t)
  await fc.assert(fc.asyncProperty(
    fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'), path, headers, fc.option(body, { nil: undefined }),
    async (method, url, requestHeaders, payload) => {
      const clean = Object.fromEntries(Object.entries(requestHeaders).filter(([, v]) => v !== undefined)) as Record<string, string>
      const res = await app.inject({ method, url, headers: clean, payload: method === 'GET' || method === 'HEAD' ? undefined : payload })
      if (method === 'HEAD') return res.statusCode === 404
      const answer = res.json()
      if (res.statusCode === 200 || res.statusCode === 202) return typeof answer === 'object' && answer !== null && !('error_code' in answer)
      if (typeof answer.error_code !== 'string' || typeof answer.error_msg !== 'string') return false
      return res.statusCode < 500 || DOCUMENTED_5XX.has(answer.error_code)
    }), { numRuns: 1500 })
  t.equal(({} as Record<string, unknown>).x, undefined, 'no prototype was polluted')
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/health' })).statusCode, 200, 'and the emulator still answers')
})
