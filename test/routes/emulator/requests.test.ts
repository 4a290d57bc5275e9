import t from 'tap'
import { build, CLUSTER, DOC_EXAMPLE_BODY, fakeClock, journalOf, JSON_HEADERS, PROJECT, SYNCED_CLUSTER, syncPath, TOKEN, userPath } from '../../helpers.js'

t.test('the journal records every request to the emulated API, oldest first', async (t) => {
  const clock = fakeClock(Date.UTC(2030, 0, 2, 3, 4, 5))
  const app = await build(t, { now: clock.now })
  const first = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: DOC_EXAMPLE_BODY })
  await app.inject({ method: 'GET', url: `${syncPath(PROJECT, SYNCED_CLUSTER)}?x=1`, headers: TOKEN })
  await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['ghost'] } })
  await app.inject({ method: 'GET', url: '/v2/wrong/path' })
  await app.inject({ method: 'GET', url: '/_emulator/health' })

  const entries = await journalOf(app)
  t.equal(entries.length, 4, 'control-plane requests are not recorded')
  t.same(entries[0], {
    request_id: first.headers['x-request-id'],
    time: '2030-01-02T03:04:05.000Z',
    method: 'DELETE',
    scheme: 'http',
    path: userPath(),
    operation: 'CancelSyncIamUser',
    project_id: PROJECT,
    cluster_id: CLUSTER,
    status: 202,
    error_code: null,
    fault_id: null,
    duration_ms: entries[0].duration_ms,
    headers: { ...entries[0].headers, 'x-auth-token': '[REDACTED]', 'content-type': 'application/json' },
    body: DOC_EXAMPLE_BODY,
    response: {
      headers: { 'x-request-id': first.headers['x-request-id'], 'content-type': 'application/json; charset=utf-8', 'content-length': '25' },
      body: { state: 'synchronizing' }
    }
  })
  t.ok(typeof entries[0].duration_ms === 'number' && entries[0].duration_ms >= 0, 'with its duration')
  t.match(entries[1], { method: 'GET', path: `${syncPath(PROJECT, SYNCED_CLUSTER)}?x=1`, operation: 'ListSyncStatus', status: 200, body: null })
  t.match(entries[2], { operation: 'UpdateSyncIamUser', status: 500, error_code: '12000157' })
  t.match(entries[3], { path: '/v2/wrong/path', operation: null, project_id: null, cluster_id: null, status: 404, error_code: 'APIGW.0101' })
})

t.test('a HEAD request\'s entry shows no body sent: Node sends the headers only', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'HEAD', url: userPath(), headers: TOKEN })
  t.equal(res.body, '')
  const [entry] = await journalOf(app)
  t.equal(entry.method, 'HEAD')
  t.equal(entry.response.headers['content-length'], res.headers['content-length'], 'the headers as sent')
  t.equal(entry.response.body, null)
})

t.test('filters by operation and cluster', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'DELETE', url: userPath(), headers: TOKEN })
  await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  await app.inject({ method: 'GET', url: userPath(PROJECT, SYNCED_CLUSTER), headers: TOKEN })
  t.equal((await journalOf(app, '?operation=ShowSyncIamUser')).length, 2)
  t.equal((await journalOf(app, `?cluster_id=${SYNCED_CLUSTER}`)).length, 1)
  t.equal((await journalOf(app, `?operation=CancelSyncIamUser&cluster_id=${CLUSTER}`)).length, 1)
  const bad = await app.inject({ method: 'GET', url: '/_emulator/requests?operation=Nope' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error_code, 'EMULATOR.0400')
})

t.test('secrets are redacted; bodies that are not JSON are kept as text; large ones are cut with a marker', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'GET', url: userPath(), headers: { authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=' + 'a'.repeat(64), 'x-sdk-date': '20240101T000000Z', 'x-security-token': 'sts' } })
  await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: '{not json' })
  await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: { user_names: Array(1000).fill('x'.repeat(100)) } })
  const deep = '['.repeat(20_000) + ']'.repeat(20_000)
  await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: deep.slice(0, 16 * 1024) })
  await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: '[' + '['.repeat(6000) + ']'.repeat(6000) + ']' })
  const [signed, broken, large, cut, nested] = await journalOf(app)
  t.equal(signed.headers.authorization, '[REDACTED]')
  t.equal(signed.headers['x-security-token'], '[REDACTED]')
  t.equal(signed.headers['x-sdk-date'], '20240101T000000Z')
  t.equal(broken.body, '{not json')
  t.match(large.body, /^\{"user_names":\["x{100}/)
  t.match(large.body, /…\[truncated: 103\d\d\d bytes in all\]$/)
  t.equal(cut.body, deep.slice(0, 16 * 1024), 'invalid JSON at exactly the limit is kept as text')
  t.equal(nested.body.length, 12002, 'JSON too deep to write back is kept as text')
})

t.test('JSON bodies up to 1,000 levels deep are kept as JSON, deeper ones as text, on every Node line', async (t) => {
  const app = await build(t)
  const nest = (levels: number) => '['.repeat(levels) + ']'.repeat(levels)
  const tricky = '{"user_names":["[[{\\"\\\\",  "]]"]}'
  for (const payload of [nest(1000), nest(1001), tricky]) await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload })
  const res = await app.inject({ method: 'GET', url: '/_emulator/requests' })
  t.equal(res.statusCode, 200)
  const [atLimit, over, strings] = res.json().requests
  t.equal(JSON.stringify(atLimit.body), nest(1000))
  t.equal(over.body, nest(1001))
  t.same(strings.body, JSON.parse(tricky), 'brackets and escaped quotes inside strings are not nesting')
})

t.test('the journal is a bounded ring', async (t) => {
  const app = await build(t, { journalSize: 3 })
  for (let i = 0; i < 5; i++) await app.inject({ method: 'GET', url: `${userPath()}?n=${i}`, headers: TOKEN })
  t.same((await journalOf(app)).map((e: { path: string }) => e.path.slice(-3)), ['n=2', 'n=3', 'n=4'])
  t.equal((await app.inject({ method: 'DELETE', url: '/_emulator/requests' })).statusCode, 204)
  t.same(await journalOf(app), [])
  await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.equal((await journalOf(app)).length, 1)
})

t.test('a journal of size 0 records nothing', async (t) => {
  const app = await build(t, { journalSize: 0 })
  await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.same(await journalOf(app), [])
})
