import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import t from 'tap'
import { BODY_LIMIT } from '../../src/app.js'
import { signRequest, sha256Hex, type SigningKey } from '../../src/core/signature.js'
import {
  build, faultHits, journalOf, CLUSTER, DOC_EXAMPLE_BODY, JSON_HEADERS, listening, PROJECT, rawExchange, responsesIn, SYNCED_CLUSTER, TOKEN, userPath
} from '../helpers.js'

// The gateway's order and every seam of it that an attacker probed, one test each.

const NOW = Date.UTC(2024, 2, 1, 10, 11, 12)
const KEY: SigningKey = { algorithm: 'SDK-HMAC-SHA256', accessKey: 'EMULATORAK0000000001', secretKey: 'EmulatorSecretKey0000000000000000000001', date: '20240301T101112Z' }
/** A request with a body on any method (fetch sends none with a GET). */
const rawStatus = (url: string, method: string, headers: Record<string, string>, body: string | Buffer) => new Promise<number | string>((resolve) => {
  const req = httpRequest(url + userPath(), { method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume()
    resolve(res.statusCode!)
  })
  req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
  req.end(body)
})

t.test('strict mode answers a caller without credentials before a byte of its body arrives', async (t) => {
  const { url } = await listening(t, { auth: 'strict' })
  const status = await new Promise<number>((resolve, reject) => {
    // The headers announce 12 MiB that are never sent: only an answer from the headers can come back.
    const req = httpRequest(url + userPath(), { method: 'DELETE', headers: { 'content-type': 'application/json', 'content-length': BODY_LIMIT } }, (res) => {
      res.resume()
      resolve(res.statusCode!)
      req.destroy()
    })
    req.on('error', reject)
    req.flushHeaders()
  })
  t.equal(status, 401)
})

t.test('an early answer\'s connection closes once the body ends, after lingerBytes more bytes, or after lingerMs', async (t) => {
  const { port } = await listening(t, { auth: 'strict', limits: { lingerMs: 50, lingerBytes: 1024 } })
  const head = (length: number) => `DELETE ${userPath()} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`
  // The whole body arrives: the answer, then the close.
  const whole = responsesIn(await rawExchange(port, head(10) + '{"a":1234}'))
  t.match(whole, [{ status: 401, headers: { connection: 'close' } }])
  // More than lingerBytes of a longer body: closed under the client (whatever it still sends).
  t.match(responsesIn(await rawExchange(port, head(1_000_000) + 'x'.repeat(4096))), [{ status: 401 }])
  // A client that stops sending: let go after lingerMs (rawExchange resolves on the close).
  t.match(responsesIn(await rawExchange(port, head(1000))), [{ status: 401 }])
})

t.test('JSON nested deeper than 64 levels is refused before it is parsed', async (t) => {
  const app = await build(t)
  const deep = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: '['.repeat(5 * 1024 * 1024) })
  t.equal(deep.statusCode, 400)
  t.same(deep.json(), { error_code: '12000002', error_msg: 'The request body nests arrays or objects deeper than 64 levels.' })
  const nested = (levels: number) => `{"user_names":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`
  t.match((await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: nested(65) })).json(), { error_msg: /deeper than 64/ })
  t.match((await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: nested(64) })).json(), { error_code: '12000002', error_msg: /^user_names\[0\] is invalid/ }, '64 levels are parsed, then validated')
  const brackets = JSON.stringify({ user_names: ['[{'.repeat(100)] })
  t.equal((await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: brackets })).statusCode, 202, 'brackets inside strings do not nest')
  const escaped = JSON.stringify({ user_names: ['\\"[['.repeat(40)] })
  t.equal((await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: escaped })).statusCode, 202, 'nor do escaped quotes end a string')
})

t.test('an absolute-form target is the same request as its origin form', async (t) => {
  const { app, port } = await listening(t)
  const target = `http://emulator.test:9336${userPath()}`
  const body = JSON.stringify(DOC_EXAMPLE_BODY)
  const anonymous = responsesIn(await rawExchange(port, `DELETE ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`))
  t.match(anonymous, [{ status: 401, headers: { 'x-request-id': /^[0-9a-f]{32}$/ } }], 'permissive auth applies')
  const signedIn = responsesIn(await rawExchange(port, `DELETE ${target} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`))
  t.match(signedIn, [{ status: 202 }])
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { status: 503, error_code: 'APIGW.0203', error_msg: 'Service unavailable.' } } })
  const faulted = responsesIn(await rawExchange(port, `GET ${target}?x=1 HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`))
  t.match(faulted, [{ status: 503 }], 'fault rules apply')
  const entries = await journalOf(app)
  t.same(entries.map((entry) => entry.path), [userPath(), userPath(), `${userPath()}?x=1`], 'journaled in origin form')
  t.equal((entries[1]!.headers as Record<string, string>).host, 'emulator.test:9336', 'the target\'s authority replaces Host')
  const control = responsesIn(await rawExchange(port, 'GET http://evil.example/_emulator/state HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'))
  t.match(control, [{ status: 403 }], 'the control plane checks the target\'s authority as its Host')
  const odd = responsesIn(await rawExchange(port, 'GET http://emulator.test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
  t.match(odd, [{ status: 404 }], 'an authority without a path is the root')
  const star = responsesIn(await rawExchange(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
  t.match(star, [{ status: 404, body: /APIGW\.0101/ }])
})

t.test('strict mode: a signed body cannot be swapped', async (t) => {
  const app = await build(t, { auth: 'strict', now: () => NOW })
  const url = userPath()
  const body = JSON.stringify(DOC_EXAMPLE_BODY)
  const other = JSON.stringify({ user_names: ['user2'] })
  const send = (headers: Record<string, string>, payload: string) => app.inject({ method: 'DELETE', url, headers, payload })
  const signed = signRequest({ method: 'DELETE', url, headers: { 'content-type': 'application/json', host: 'localhost:80' }, body }, KEY)
  t.equal((await send(signed, body)).statusCode, 202, 'as signed')
  t.equal((await send(signed, other)).statusCode, 401, 'another body')
  const unsignedHash = await send({ ...signed, 'x-sdk-content-sha256': sha256Hex(other) }, other)
  t.equal(unsignedHash.json().error_msg, 'Incorrect IAM authentication information: verify aksk signature fail, x-sdk-content-sha256 is not a signed header')
  const hashed = signRequest({ method: 'DELETE', url, headers: { 'content-type': 'application/json', host: 'localhost:80', 'x-sdk-content-sha256': sha256Hex(body) }, body }, KEY)
  t.equal((await send(hashed, body)).statusCode, 202, 'a signed hash of the body')
  t.equal((await send(hashed, other)).json().error_msg, 'Incorrect IAM authentication information: verify aksk signature fail, X-Sdk-Content-Sha256 is not the SHA-256 of the body received')
  const unsigned = signRequest({ method: 'DELETE', url, headers: { 'content-type': 'application/json', host: 'localhost:80', 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' }, body }, KEY)
  t.equal((await send(unsigned, other)).statusCode, 202, 'UNSIGNED-PAYLOAD, signed, leaves the body out by the client\'s choice')
  const empty = signRequest({ method: 'GET', url, headers: { host: 'localhost:80', 'x-sdk-content-sha256': sha256Hex('') }, body: undefined }, KEY)
  t.equal((await app.inject({ method: 'GET', url, headers: empty })).statusCode, 200, 'the signed hash of no body')
  const junk = signRequest({ method: 'DELETE', url, headers: { 'content-type': 'application/json', host: 'localhost:80', 'x-sdk-content-sha256': 'whatever' }, body }, KEY)
  t.equal((await send(junk, body)).json().error_msg, 'Incorrect IAM authentication information: verify aksk signature fail, X-Sdk-Content-Sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body')
})

t.test('an Authorization that mixes the two schemes\' fields is malformed', async (t) => {
  const sig = 'a'.repeat(64)
  for (const auth of ['permissive', 'strict'] as const) {
    const app = await build(t, { auth, now: () => NOW })
    for (const authorization of [`SDK-HMAC-SHA256 Credential=AK/20240301/r/mrs, SignedHeaders=x-sdk-date, Signature=${sig}`, `V11-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${sig}`]) {
      const res = await app.inject({ method: 'GET', url: userPath(), headers: { authorization, 'x-sdk-date': '20240301T101112Z' } })
      t.equal(res.statusCode, 401, `${auth}: ${authorization.slice(0, 27)}`)
      t.match(res.json().error_msg, /the Authorization header is malformed$/)
    }
  }
})

t.test('a path that does not decode gets the gateway\'s 400, its request id and a journal entry', async (t) => {
  const { app, port } = await listening(t)
  const [answer] = responsesIn(await rawExchange(port, `GET /v2/%zz/clusters/${CLUSTER}/iam-sync-user HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`))
  t.equal(answer!.status, 400)
  t.equal(answer!.headers['content-type'], 'application/json; charset=utf-8')
  const id = answer!.headers['x-request-id']!
  t.same(JSON.parse(answer!.body), { error_code: 'APIGW.0201', error_msg: 'API request error.', request_id: id })
  t.match(await journalOf(app), [{ request_id: id, path: `/v2/%zz/clusters/${CLUSTER}/iam-sync-user`, status: 400, error_code: 'APIGW.0201', operation: null }])
  t.equal((await journalOf(app))[0].fault_id, null, 'the entry has every field, fault_id too')

  // Under the control plane's prefix: the control plane's answer, and no journal entry.
  for (const target of ['/_emulator/%zz', 'http://localhost/_emulator/state%zz']) {
    const [control] = responsesIn(await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`))
    t.equal(control!.status, 400, target)
    t.match(JSON.parse(control!.body), { error_code: 'EMULATOR.0400', error_msg: /does not decode/ })
    t.match(control!.headers['x-request-id'], /^[0-9a-f]{32}$/)
  }
  t.equal((await journalOf(app)).length, 1, 'only the API request is journaled')
})

t.test('HTTP/1.1 without Host gets the gateway\'s 400; HTTP/1.0 needs none', async (t) => {
  const { app, port } = await listening(t)
  const [api] = responsesIn(await rawExchange(port, `GET ${userPath()} HTTP/1.1\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`))
  t.match(api, { status: 400, headers: { 'x-request-id': /^[0-9a-f]{32}$/ } })
  t.same(JSON.parse(api!.body), { error_code: 'APIGW.0201', error_msg: 'API request error.', request_id: api!.headers['x-request-id'] })
  const [control] = responsesIn(await rawExchange(port, 'GET /_emulator/health HTTP/1.1\r\nConnection: close\r\n\r\n'))
  t.match(control, { status: 400, body: /EMULATOR\.0400/ }, 'in the control plane\'s code')
  const [old] = responsesIn(await rawExchange(port, `GET ${userPath()} HTTP/1.0\r\nX-Auth-Token: t\r\n\r\n`))
  t.equal(old!.status, 200)
  t.match(await journalOf(app), [{ status: 400, error_code: 'APIGW.0201' }, { status: 200 }], 'the API plane journals both')
})

t.test('an unknown path or method is answered 404 before its body is read, whatever the credentials', async (t) => {
  const { port } = await listening(t, { auth: 'strict' })
  for (const [method, path] of [['POST', '/v2/nope'], ['PUT', userPath()]]) {
    const [answer] = responsesIn(await rawExchange(port, `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${13 * 1024 * 1024}\r\n\r\n{`))
    t.match(answer, { status: 404, headers: { connection: 'close' }, body: /"error_code":"APIGW.0101"/ }, `${method} ${path}`)
  }
})

t.test('an error answer to a request without a body keeps the connection open', async (t) => {
  const { port } = await listening(t, { auth: 'strict' })
  const request = `GET ${userPath().replace('iam-sync-user', 'iam-sync')} HTTP/1.1\r\nHost: localhost\r\n\r\n`
  const answers = responsesIn(await rawExchange(port, request + request + request.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')))
  t.same(answers.map((answer) => answer.status), [401, 401, 401])
  t.equal(answers[0]!.headers.connection, 'keep-alive')
})

t.test('CONNECT gets the gateway\'s 404; an Expect other than 100-continue is ignored', async (t) => {
  const { port } = await listening(t)
  const [connect] = responsesIn(await rawExchange(port, 'CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n'))
  t.match(connect, { status: 404, headers: { 'x-request-id': /^[0-9a-f]{32}$/ }, body: /"error_code":"APIGW.0101"/ })
  const [expect] = responsesIn(await rawExchange(port, 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nExpect: foo\r\nConnection: close\r\n\r\n'))
  t.equal(expect!.status, 200)
})

t.test('a malformed request after pipelined ones is answered after them, in order', async (t) => {
  let open!: () => void
  const gate = new Promise<void>((resolve) => { open = resolve })
  const { app, port } = await listening(t, { sleep: () => gate })
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { match: { operation: 'ShowSyncIamUser' }, action: { delay_ms: 1000 } } })
  const exchange = rawExchange(port, 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n' +
    `GET ${userPath()} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n` + 'NOT HTTP\r\n\r\n')
  // The delayed answer is due before the parse error's: hold it until the rule has it, then let it go.
  await faultHits(app, 1)
  open()
  const answers = responsesIn(await exchange)
  t.same(answers.map((answer) => answer.status), [200, 200, 400])
  t.match(answers[2]!.body, /"error_code":"APIGW.0201"/)
  // Several answers finished and queued ahead of the parse error: none is lost.
  const health = 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n'
  t.same(responsesIn(await rawExchange(port, health.repeat(5) + 'NOT HTTP\r\n\r\n')).map((answer) => answer.status), [200, 200, 200, 200, 200, 400])
  // An answer that closes the connection, or a dropped one: nothing is written after it.
  t.same(responsesIn(await rawExchange(port, 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\nNOT HTTP\r\n\r\n')).map((answer) => answer.status), [200])
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { match: { operation: 'ListSyncStatus' }, action: { drop: true } } })
  t.equal(await rawExchange(port, `GET ${userPath().replace('iam-sync-user', 'iam-sync')} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\nNOT HTTP\r\n\r\n`), '')
  // A drop closes the connection only after the answers due before it.
  t.same(responsesIn(await rawExchange(port, health.repeat(2) + `GET ${userPath().replace('iam-sync-user', 'iam-sync')} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n`)).map((answer) => answer.status), [200, 200])
  // What is pipelined behind a dropped request is never carried out: not a cancel, not a reset.
  const cancel = JSON.stringify({ user_names: ['analyst'] })
  const behind = `DELETE ${userPath(PROJECT, SYNCED_CLUSTER)} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: ${cancel.length}\r\n\r\n${cancel}` +
    'POST /_emulator/clock HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"advance_ms": 1000}'
  t.equal(await rawExchange(port, `GET ${userPath().replace('iam-sync-user', 'iam-sync')} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n` + behind), '')
  t.same((await app.inject({ method: 'GET', url: userPath(PROJECT, SYNCED_CLUSTER), headers: TOKEN })).json().user_names, ['analyst', 'etl_service'], 'the cancel did not run')
  t.equal((await app.inject({ url: '/_emulator/clock' })).json().offset_ms, 0, 'nor did the clock move')
  t.same((await journalOf(app, '?method=DELETE')).length, 0, 'nor is it journaled')
})

t.test('cookies and proxy credentials are redacted in the journal and the logs, with the other secrets', async (t) => {
  const lines: string[] = []
  const app = await build(t, { logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } })
  const secrets = { cookie: 'session=s3cret-cookie', 'proxy-authorization': 'Basic c2VjcmV0LXByb3h5', authorization: 'Basic c2VjcmV0', 'x-auth-token': 'secret-token', 'x-security-token': 'secret-sts' }
  await app.inject({ method: 'GET', url: userPath(), headers: secrets })
  await app.inject({ method: 'GET', url: '/nowhere', headers: secrets })
  const entries = await journalOf(app)
  for (const entry of entries) {
    for (const name of Object.keys(secrets)) t.equal((entry.headers as Record<string, string>)[name], '[REDACTED]', name)
  }
  t.notMatch(JSON.stringify(entries) + lines.join(''), /s3cret|c2VjcmV0|secret-/)
  // The log lines themselves: the API's operation, the control plane's route, durations to the microsecond.
  await app.inject({ url: '/_emulator/nope' })
  const logged = lines.map((line) => JSON.parse(line) as { msg: string, operation: string | null, ms: number, error_code?: string }).filter((line) => line.msg === 'request')
  // The control plane's successful reads (the journal read above) are at debug: the dashboard polls.
  t.same(logged.map((line) => line.operation), ['ShowSyncIamUser', null, null])
  t.same(logged.map((line) => line.error_code), [undefined, 'APIGW.0101', 'EMULATOR.0404'], 'an error answer\'s line names its code')
  for (const line of logged) t.equal(line.ms, Math.round(line.ms * 1000) / 1000, `${line.ms} is rounded`)
  const debugLines: string[] = []
  const debugApp = await build(t, { logger: { level: 'debug', stream: { write: (line: string) => debugLines.push(line) } } })
  await debugApp.inject({ url: '/_emulator/faults' })
  t.match(debugLines.map((line) => JSON.parse(line) as object), [{ level: 20, msg: 'request', operation: 'EmulatorListFaults' }], 'at debug, the reads too')
})

t.test('a delay fault ends when its rule is deleted, on reset and when the emulator closes', async (t) => {
  const { app, url } = await listening(t, { auth: 'off' })
  const addDelay = async () => (await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { delay_ms: 600_000 } } })).json<{ id: string }>().id
  /** A request the rule holds: its status, once answered. */
  const held = async () => {
    const answer = fetch(url + userPath()).then((res) => res.status)
    // The rule counts the request once it is held.
    for (;;) {
      const { faults } = (await app.inject({ url: '/_emulator/faults' })).json<{ faults: Array<{ hits: number }> }>()
      if (faults[0]!.hits > 0) return { answer }
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const id = await addDelay()
  const deleted = await held()
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/faults/${id}` })).statusCode, 204)
  t.equal(await deleted.answer, 200, 'deleted: the request goes on')
  await addDelay()
  const reset = await held()
  await app.inject({ method: 'POST', url: '/_emulator/reset' })
  t.equal(await reset.answer, 200, 'reset: the request goes on')
  await addDelay()
  const closing = await held()
  await app.close()
  t.equal(await closing.answer, 200, 'closing: the request is answered, and the close does not wait for the delay')
})

t.test('a client that goes away while a fault reads its body leaves nothing behind', async (t) => {
  const { app, port } = await listening(t, { auth: 'strict' })
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { status: 500, error_code: '12000004', error_msg: 'Internal server error.' } } })
  const socket = connect(port, '127.0.0.1')
  socket.write(`DELETE ${userPath()} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`)
  // The rule has the request (it now reads the body): then the client goes.
  await faultHits(app, 1)
  socket.destroy()
  await app.inject({ method: 'DELETE', url: '/_emulator/faults' })
  t.equal((await app.inject({ url: '/_emulator/health' })).statusCode, 200)
})

t.test('strict mode verifies a GET\'s body too, and refuses one over 12 MiB', async (t) => {
  const { url } = await listening(t, { auth: 'strict', now: () => NOW })
  const body = '{"a":1}'
  const headers = signRequest({ method: 'GET', url: userPath(), headers: { 'content-type': 'application/json', host: new URL(url).host }, body }, KEY)
  t.equal((await rawStatus(url, 'GET', headers, body)), 200)
  t.equal((await rawStatus(url, 'GET', headers, '{"a":2}')), 401, 'another body')
  t.equal((await rawStatus(url, 'GET', headers, Buffer.alloc(BODY_LIMIT + 1, 'a'))), 413)
})

t.test('a used-up delay rule still delays the request that used it', async (t) => {
  const waits: number[] = []
  const app = await build(t, { sleep: async (ms) => { waits.push(ms) } })
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { delay_ms: 5 }, times: 1 } })
  t.equal((await app.inject({ url: userPath(), headers: TOKEN })).statusCode, 200)
  t.same(waits, [5])
  t.match((await app.inject({ url: '/_emulator/faults' })).json(), { faults: [{ acted: 1, remaining: 0 }] })
  t.equal((await app.inject({ url: userPath(), headers: TOKEN })).statusCode, 200)
  t.same(waits, [5], 'and no other')
})

t.test('a fault error or drop is carried out once the body has been read, whatever the credentials', async (t) => {
  const { app, url } = await listening(t, { auth: 'strict' })
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { match: { method: 'DELETE' }, action: { status: 500, error_code: '12000004', error_msg: 'Internal server error.' }, times: 1 } })
  const body = JSON.stringify(DOC_EXAMPLE_BODY)
  const res = await app.inject({ method: 'DELETE', url: userPath(), headers: { 'content-type': 'application/json' }, payload: body })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error_code: '12000004', error_msg: 'Internal server error.' })
  t.match(await journalOf(app), [{ status: 500, body: DOC_EXAMPLE_BODY }], 'the journal holds what the client sent')
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { drop: true }, times: 1 } })
  await t.rejects(fetch(url + userPath(PROJECT), { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
  t.match((await journalOf(app))[1], { status: 0, body: DOC_EXAMPLE_BODY })
})

t.test('where the real wording is terse, the log line has a hint; the body stays the service\'s, byte for byte', async (t) => {
  const lines: string[] = []
  const app = await build(t, { logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } })
  const hintOf = async (url: string, headers: Record<string, string> = TOKEN) => {
    const res = await app.inject({ url, headers })
    const line = JSON.parse(lines.at(-1)!) as { hint?: string }
    return { body: res.body, hint: line.hint }
  }
  const unknownProject = await hintOf(userPath('0123456789abcdef0123456789abcdef'))
  const unknownCluster = await hintOf(userPath(PROJECT, 'no-such-cluster'))
  t.equal(JSON.parse(unknownProject.body).error_msg, 'The cluster does not exist.')
  t.equal(JSON.parse(unknownCluster.body).error_msg, 'The cluster does not exist.', 'the same words for both')
  t.equal(unknownProject.hint, 'No project 0123456789abcdef0123456789abcdef in the emulator\'s world (GET /_emulator/state lists them).')
  t.equal(unknownCluster.hint, `Project ${PROJECT} has no cluster no-such-cluster.`)
  const badProject = await hintOf(userPath('bad-project'))
  t.same(JSON.parse(badProject.body), { error_code: '12000107', error_msg: 'Invalid project ID: bad-project.' })
  t.match(badProject.hint, /^A project id is 1 to 64 letters and digits/)
  const bearer = await hintOf(userPath(), { authorization: 'Bearer abc' })
  t.match(JSON.parse(bearer.body), { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail, the Authorization header is malformed' })
  t.match(bearer.hint, /X-Auth-Token/)
  const other = await hintOf(userPath(), { authorization: 'Basic abc' })
  t.equal(other.hint, undefined, 'no hint where there is nothing to add')
  const strict = await build(t, { auth: 'strict', logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } })
  await strict.inject({ url: userPath(), headers: { authorization: 'Bearer abc' } })
  t.match(JSON.parse(lines.at(-1)!), { status: 401, error_code: 'APIGW.0301', hint: /X-Auth-Token/ }, 'strict mode too')
})
