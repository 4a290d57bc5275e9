import t from 'tap'
import { buildApp } from '../../src/app.js'
import { isLoopback } from '../../src/http/browser-rules.js'
import { build, CLUSTER, listening, PROJECT, rawExchange, responsesIn } from '../helpers.js'

// A web page must not be able to drive a developer's emulator: not from another origin, and
// not through a DNS name rebound to 127.0.0.1.

const syncedUsers = async (url: string) => {
  const state = await (await fetch(`${url}/_emulator/state`)).json() as { projects: Array<{ project_id: string, clusters: Array<{ cluster_id: string, synced_users: string[] }> }> }
  return state.projects.find((p) => p.project_id === PROJECT)!.clusters.find((c) => c.cluster_id === CLUSTER)!.synced_users
}

t.test('pages of another origin are refused, and change nothing', async (t) => {
  const { url } = await listening(t)
  await fetch(`${url}/_emulator/projects/${PROJECT}/clusters/${CLUSTER}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'running', synced_users: ['kept'], synced_groups: [] }) })
  const refused = await fetch(`${url}/_emulator/reset`, { method: 'POST', headers: { origin: 'http://evil.example' } })
  t.equal(refused.status, 403)
  t.match(refused.headers.get('x-request-id'), /^[0-9a-f]{32}$/)
  t.same(await refused.json(), { error_code: 'EMULATOR.0403', error_msg: 'The control plane does not answer pages of origin http://evil.example; allow it with MRS_EMULATOR_ALLOWED_ORIGINS.' })
  t.same(await syncedUsers(url), ['kept'], 'the world is not reset')
  t.equal((await fetch(`${url}/_emulator/state`, { headers: { origin: 'null' } })).status, 403, 'an opaque origin')
  const crossSite = await fetch(`${url}/_emulator/state`, { headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(crossSite.status, 403, 'a cross-site request without Origin')
  t.match(await crossSite.json(), { error_msg: /Sec-Fetch-Site/ })
  const own = await fetch(`${url}/_emulator/reset`, { method: 'POST', headers: { origin: url, 'sec-fetch-site': 'same-origin' } })
  t.equal(own.status, 200, 'the emulator\'s own origin (its dashboard)')
  t.equal((await fetch(`${url}/_emulator/health`, { headers: { origin: 'http://evil.example' } })).status, 403, 'health too')
})

t.test('more origins can be allowed, with the CORS answers their pages need', async (t) => {
  const { url } = await listening(t, { allowedOrigins: ['http://localhost:3000'] })
  const allowed = await fetch(`${url}/_emulator/state`, { headers: { origin: 'http://localhost:3000', 'sec-fetch-site': 'cross-site' } })
  t.equal(allowed.status, 200)
  t.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:3000')
  t.match(allowed.headers.get('access-control-expose-headers'), /X-Request-Id/)
  t.equal((await fetch(`${url}/_emulator/state`, { headers: { origin: 'http://localhost:3001' } })).status, 403)
  const preflight = await fetch(`${url}/_emulator/faults`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  t.equal(preflight.status, 204)
  t.match(preflight.headers.get('access-control-allow-methods'), /POST/)
  t.match(preflight.headers.get('access-control-allow-headers'), /Content-Type/)
  t.equal((await fetch(`${url}/_emulator/faults`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000' } })).status, 204, 'not strict about the preflight\'s headers')
  const own = await fetch(`${url}/_emulator/faults`, { method: 'OPTIONS' })
  t.equal(own.status, 404, 'no preflight without an allowed origin')
  t.match(await own.json(), { error_code: 'EMULATOR.0404' })
})

t.test('the emulated API applies no Origin rule (and sends no CORS headers)', async (t) => {
  const { url } = await listening(t)
  const res = await fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync`, { headers: { origin: 'http://evil.example', 'x-auth-token': 't' } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('access-control-allow-origin'), null)
})

t.test('the control plane answers in its own codes, for bodies and headers too', async (t) => {
  const { port } = await listening(t)
  const answer = async (text: string) => responsesIn(await rawExchange(port, text))[0]!
  const badType = await answer('PUT /_emulator/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: ;;;\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}')
  t.match(badType, { status: 400, body: /"error_code":"EMULATOR.0400","error_msg":"The Content-Type header is malformed/ })
  const tooLarge = await answer(`PUT /_emulator/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${13 * 1024 * 1024}\r\n\r\n{`)
  t.match(tooLarge, { status: 413, headers: { connection: 'close' }, body: /"error_code":"EMULATOR.0413"/ })
  t.match(await answer('GET /_emulator/state HTTP/1.1\r\nConnection: close\r\n\r\n'), { status: 400, body: /"error_code":"EMULATOR.0400","error_msg":"An HTTP\/1.1 request needs a Host header."/ })
  const chunked = await answer('PUT /_emulator/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\n{\r\n0\r\n\r\n')
  t.match(chunked, { status: 400, body: /"error_code":"EMULATOR.0400"/ })
})

t.test('an unknown control-plane route with a body is answered before the body is read', async (t) => {
  const { port } = await listening(t)
  const [answer] = responsesIn(await rawExchange(port, `POST /_emulator/nope HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${13 * 1024 * 1024}\r\n\r\n{`))
  t.match(answer, { status: 404, headers: { connection: 'close' }, body: /"error_code":"EMULATOR.0404"/ })
})

t.test('on a loopback address, only loopback names and the listening address reach the control plane (DNS rebinding)', async (t) => {
  const { port } = await listening(t, { allowedHosts: ['emulator.test'] })
  // fetch sets Host itself: the requests are written raw.
  const answer = async (host: string, path = '/_emulator/state') =>
    responsesIn(await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`))[0]!
  t.equal((await answer(`evil.example:${port}`)).status, 403)
  t.match(JSON.parse((await answer('evil.example')).body), { error_code: 'EMULATOR.0403', error_msg: /host evil\.example; allow it with MRS_EMULATOR_ALLOWED_HOSTS/ })
  for (const host of [`localhost:${port}`, 'LOCALHOST', `127.0.0.1:${port}`, '127.1.2.3', `[::1]:${port}`, 'emulator.test', `Emulator.Test:${port}`]) {
    t.equal((await answer(host)).status, 200, host)
  }
  t.equal((await answer('evil.example', `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync`)).status, 200, 'the emulated API answers any name')
})

t.test('listening on every address, the Host is not checked (other containers use the service name)', async (t) => {
  const { port } = await listening(t, {}, '0.0.0.0')
  const [answer] = responsesIn(await rawExchange(port, 'GET /_emulator/state HTTP/1.1\r\nHost: mrs-emulator:9336\r\nConnection: close\r\n\r\n'))
  t.equal(answer!.status, 200)
})

t.test('loopback addresses', async (t) => {
  for (const address of ['127.0.0.1', '127.255.0.9', '::1', '[::1]', '::ffff:127.0.0.1']) t.ok(isLoopback(address), address)
  for (const address of ['0.0.0.0', '10.0.0.1', '::', 'localhost.evil', '128.0.0.1']) t.notOk(isLoopback(address), address)
})

t.test('the admin token: Bearer in any case, compared whole; health and ready stay open', async (t) => {
  const app = await build(t, { adminToken: 's3cret' })
  const status = async (authorization?: string) => (await app.inject({ url: '/_emulator/state', headers: authorization === undefined ? {} : { authorization } })).statusCode
  t.equal(await status('Bearer s3cret'), 200)
  t.equal(await status('bearer s3cret'), 200)
  t.equal(await status('BEARER  s3cret'), 200)
  for (const wrong of [undefined, '', 'Bearer', 'Bearer s3cre', 'Bearer s3cret2', 'Basic s3cret', 's3cret']) t.equal(await status(wrong), 401, String(wrong))
  const refused = await app.inject({ url: '/_emulator/faults' })
  t.equal(refused.headers['www-authenticate'], 'Bearer')
  t.same(refused.json(), { error_code: 'EMULATOR.0401', error_msg: 'The control plane needs Authorization: Bearer <admin token>.' })
  t.equal((await app.inject({ url: '/_emulator/health' })).statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/ready' })).statusCode, 200)
})

t.test('an empty admin token is a configuration error, not an open control plane', async (t) => {
  await t.rejects(buildApp({ adminToken: '' }), { name: 'ConfigError', message: 'Invalid option adminToken: "" must not be empty' })
})
