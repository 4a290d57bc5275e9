import fc from 'fast-check'
import t from 'tap'
import { CLUSTER, PROJECT, rawExchange, responsesIn } from '../helpers.js'
import { startServer } from './process.js'

// Random request lines, targets, headers and bodies, written raw to a real process: every
// answer must be a documented one (a status of the error tables, the JSON error body, an
// X-Request-Id), never a 5xx, and the process must go on answering.

const { url } = await startServer(t, [], {}, { coverage: false })
const port = Number(new URL(url).port)

const API = `/v2/${PROJECT}/clusters/${CLUSTER}`
const token = fc.string({ unit: fc.constantFrom(...'abcxyz019%/?#&=.-_~:[]@!$\'()*+,; "<>\\^`{|}\t\u00e9\u0000'), maxLength: 12 })
const target = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(`${API}/iam-sync-user`, `${API}/iam-sync`, `${API}/iam-sync/is-synchronous`, '/_emulator/health', '/_emulator/state', '/_emulator/faults', '/', '*') },
  fc.tuple(fc.constantFrom(`${API}/`, '/v2/', '/_emulator/', '/', 'http://x', 'http://localhost:1', '//', 'https://[::1]'), token).map(([a, b]) => a + b),
  token
)
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'get'), fc.stringMatching(/^[A-Z]{1,8}$/))
const header = fc.oneof(
  fc.constantFrom('Host: localhost', 'Host: evil.example', 'X-Auth-Token: t', 'Content-Type: application/json', 'Content-Type: text/plain',
    'Transfer-Encoding: chunked', 'Content-Length: 2', 'Content-Length: -1', 'Content-Length: 99999999999', 'Origin: http://evil.example',
    'Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=' + 'a'.repeat(64), 'X-Sdk-Date: 20240301T101112Z',
    'Expect: 100-continue', 'Connection: keep-alive', 'Cookie: a=b', 'Sec-Fetch-Site: cross-site'),
  fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), token).map(([name, value]) => `${name}: ${value}`)
)
const version = fc.oneof({ weight: 6, arbitrary: fc.constant('HTTP/1.1') }, fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''))
const body = fc.oneof(fc.constant(''), fc.constantFrom('{}', '{"user_names":["user1"]}', '[[[[', '{"__proto__":{}}', '0\r\n\r\n', '2\r\n{}\r\n0\r\n\r\n'), token)
const request = fc.record({ method, target, version, headers: fc.array(header, { maxLength: 6 }).map((headers) => ['Host: localhost', ...headers]), body })

const STATUSES = new Set([200, 201, 202, 204, 400, 401, 403, 404, 408, 409, 413, 431, 503])

t.test('every answer to a random raw request is a documented one', async (t) => {
  const seen = new Map<number, number>()
  await fc.assert(fc.asyncProperty(request, async ({ method, target, version, headers, body }) => {
    const text = `${method} ${target} ${version}\r\n${headers.join('\r\n')}${headers.length > 0 ? '\r\n' : ''}\r\n${body}`
    const answers = responsesIn(await rawExchange(port, text, { end: true }))
    // 100 Continue (Expect: 100-continue) is Node's interim answer, not one of the emulator's.
    for (const answer of answers.filter((answer) => answer.status >= 200)) {
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1)
      if (!STATUSES.has(answer.status)) throw new Error(`undocumented status ${answer.status} for ${JSON.stringify(text)}`)
      if (!/^[0-9a-f]{32}$/.test(answer.headers['x-request-id'] ?? '')) throw new Error(`no X-Request-Id for ${JSON.stringify(text)}`)
      if (answer.status >= 400 && method !== 'HEAD') {
        const error = JSON.parse(answer.body) as { error_code: string, error_msg: string }
        if (!/^(APIGW\.0\d{3}|EMULATOR\.0\d{3}|120000\d\d)$/.test(error.error_code) || error.error_code === '12000004') {
          throw new Error(`undocumented error ${answer.body} for ${JSON.stringify(text)}`)
        }
      }
    }
  }), { numRuns: 400 })
  t.ok(seen.size > 3, `answers seen: ${JSON.stringify(Object.fromEntries(seen))}`)
  t.equal((await fetch(`${url}/_emulator/health`)).status, 200, 'and the process still answers')
})
