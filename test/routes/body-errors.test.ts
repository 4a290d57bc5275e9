import t from 'tap'
import { BODY_LIMIT } from '../../src/app.js'
import { build, JSON_HEADERS, TOKEN, userPath } from '../helpers.js'

const cases: Array<{ name: string, payload: string | Buffer, headers?: Record<string, string>, message: string | RegExp }> = [
  { name: 'a name that is not a string', payload: '{"user_names":["a",1]}', message: 'user_names[1] is invalid: expected string' },
  { name: 'numbers are not coerced to strings', payload: '{"group_names":[1]}', message: 'group_names[0] is invalid: expected string' },
  { name: 'a string where an array belongs', payload: '{"user_names":"user1"}', message: 'user_names is invalid: expected array' },
  { name: 'an unknown field', payload: '{"user_names":[],"usernames":[]}', message: "Unknown field 'usernames': the body takes only group_names, user_names." },
  { name: 'is_all_sync belongs to the sync call only', payload: '{"is_all_sync":true}', message: /^Unknown field 'is_all_sync'/ },
  { name: 'an array body', payload: '[]', message: 'body is invalid: expected object' },
  { name: 'a JSON null body', payload: 'null', message: 'body must be a JSON object' },
  { name: 'malformed JSON', payload: '{"user_names": [', message: /^The request body is not valid JSON at line 1, column 17: unexpected end of the text$/ },
  { name: 'invalid UTF-8', payload: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), message: 'The request body is not valid UTF-8.' },
  { name: 'a __proto__ key', payload: '{"__proto__":{"polluted":true}}', message: 'The request body has a forbidden __proto__ or constructor.prototype key.' },
  { name: 'a constructor.prototype key', payload: '{"constructor":{"prototype":{"polluted":true}}}', message: 'The request body has a forbidden __proto__ or constructor.prototype key.' },
  { name: 'malformed JSON that says forbidden', payload: '{"user_names":[forbidden]}', message: 'The request body is not valid JSON at line 1, column 17: unexpected "o"' },
  { name: 'a __proto__ key spelled with escapes', payload: '{"\\u005f_proto__":{"polluted":true}}', message: 'The request body has a forbidden __proto__ or constructor.prototype key.' },
  { name: 'a body in another content type', payload: 'user_names=a', headers: { ...TOKEN, 'content-type': 'application/x-www-form-urlencoded' }, message: 'Unsupported Content-Type: application/x-www-form-urlencoded; the body must be application/json.' },
  { name: 'a body without a content type', payload: '{}', headers: { ...TOKEN }, message: 'Unsupported Content-Type: (none); the body must be application/json.' },
  { name: 'a malformed content type', payload: '{}', headers: { ...TOKEN, 'content-type': 'application/' }, message: 'The Content-Type header is malformed; send application/json.' }
]

t.test('bad bodies get 400 12000002 with a message naming the problem', async (t) => {
  const app = await build(t)
  for (const { name, payload, headers, message } of cases) {
    for (const method of ['DELETE', 'POST'] as const) {
      if (method === 'POST' && name.startsWith('is_all_sync')) continue
      const res = await app.inject({ method, url: userPath(), headers: headers ?? JSON_HEADERS, payload })
      t.equal(res.statusCode, 400, `${method} ${name}`)
      const body = res.json()
      t.equal(body.error_code, '12000002', `${method} ${name}`)
      if (method === 'DELETE' || !name.startsWith('an unknown field')) t.match(body.error_msg, message, `${method} ${name}`)
    }
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted')
})

t.test('bodies that only look suspicious are read as JSON: escapes, the words as values, a byte order mark', async (t) => {
  const app = await build(t)
  for (const payload of ['{"user_names":["a\\"b","\\u00e9"]}', '{"user_names":["__proto__","constructor"]}', '\ufeff{"user_names":["user1"]}']) {
    const res = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload })
    t.equal(res.statusCode, 202, payload)
  }
})

t.test('a body over 12 MiB gets 413 APIGW.0201 with the request id', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: Buffer.alloc(BODY_LIMIT + 1, 0x20) })
  t.equal(res.statusCode, 413)
  t.same(res.json(), { error_code: 'APIGW.0201', error_msg: 'Request entity too large.', request_id: res.headers['x-request-id'] })
})

t.test('a body of exactly 12 MiB is read', async (t) => {
  const app = await build(t)
  const payload = Buffer.alloc(BODY_LIMIT, 0x20)
  payload.write('{}')
  const res = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload })
  t.equal(res.statusCode, 202)
})

t.test('the body is checked after the path', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: userPath('bad-project'), headers: JSON_HEADERS, payload: '{bad' })
  t.equal(res.json().error_code, '12000107')
})

t.test('a Content-Length that does not match the body: 400 APIGW.0201', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: userPath(), headers: { ...JSON_HEADERS, 'content-length': '10' }, payload: '{}' })
  t.equal(res.statusCode, 400)
  t.same(res.json(), { error_code: 'APIGW.0201', error_msg: 'API request error.', request_id: res.headers['x-request-id'] })
})
