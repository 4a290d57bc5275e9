import { createRequire } from 'node:module'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { Ajv } from 'ajv'
import { DEFAULT_DOMAIN } from '../../../src/core/fixture-schema.js'
import { signRequest } from '../../../src/core/signature.js'
import { build, CLUSTER, fakeClock, JSON_HEADERS, OTHER_PROJECT, PROJECT, SYNCED_CLUSTER, syncPath, TOKEN, userPath } from '../../helpers.js'

// §4.1 through the real HTTP interface: the journal to assert on, fault scripts, the clock,
// scoped resets.

type App = FastifyInstance
const get = async (app: App, url: string) => (await app.inject({ method: 'GET', url })).json()
const post = (app: App, url: string, payload?: object) => app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) })
const cancel = (app: App, cluster = CLUSTER, project = PROJECT) => app.inject({ method: 'DELETE', url: userPath(project, cluster), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })

t.test('journal entries: duration, fault, and the response as sent', async (t) => {
  const app = await build(t)
  await post(app, '/_emulator/faults', { id: 'busy', match: { operation: 'CancelSyncIamUser' }, action: { status: 429, error_code: 'APIGW.0308', error_msg: 'Throttled.', headers: { 'Retry-After': '3' } }, times: 1 })
  const throttled = await cancel(app)
  t.equal(throttled.statusCode, 429)
  t.equal(throttled.headers['retry-after'], '3', 'the rule\'s headers are sent')
  await cancel(app)

  const { count, requests } = await get(app, '/_emulator/requests')
  t.equal(count, 2)
  const [first, second] = requests
  t.match(first, { status: 429, error_code: 'APIGW.0308', fault_id: 'busy', body: { user_names: ['user1'] } })
  t.match(first.response, { headers: { 'retry-after': '3', 'x-request-id': throttled.headers['x-request-id'] }, body: { error_code: 'APIGW.0308', error_msg: 'Throttled.' } })
  t.type(first.duration_ms, 'number')
  t.match(second, { status: 202, fault_id: null, response: { body: { state: 'synchronizing' } } })
})

t.test('journal filters, count and limit; an unknown filter is refused by name', async (t) => {
  const app = await build(t)
  await cancel(app)
  await cancel(app, 'no-such-cluster')
  await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  await app.inject({ method: 'GET', url: syncPath(OTHER_PROJECT), headers: TOKEN })
  const all = (await get(app, '/_emulator/requests')).requests
  const ids = all.map((entry: { request_id: string }) => entry.request_id)
  const find = async (query: string) => {
    const { count, requests } = await get(app, `/_emulator/requests?${query}`)
    return { count, ids: requests.map((entry: { request_id: string }) => entry.request_id) }
  }
  t.same(await find('method=DELETE'), { count: 2, ids: ids.slice(0, 2) })
  t.same(await find(`project_id=${OTHER_PROJECT}`), { count: 1, ids: [ids[3]] })
  t.same(await find('status=400'), { count: 1, ids: [ids[1]] })
  t.same(await find('error_code=12000003'), { count: 1, ids: [ids[1]] })
  t.same(await find('operation=CancelSyncIamUser&status=202'), { count: 1, ids: [ids[0]] })
  t.same(await find(`since=${ids[1]}`), { count: 2, ids: ids.slice(2) })
  t.same(await find('since=not-kept'), { count: 4, ids }, 'an id no longer kept: every entry')
  t.same(await find('limit=2'), { count: 4, ids: ids.slice(2) }, 'the newest N; count before limit')
  t.same(await find('fault_id=none'), { count: 0, ids: [] })

  const unknown = await app.inject({ method: 'GET', url: '/_emulator/requests?stauts=500' })
  t.equal(unknown.statusCode, 400)
  t.same(unknown.json(), { error_code: 'EMULATOR.0400', error_msg: 'Invalid querystring: /stauts: unknown field; the allowed ones are operation, method, project_id, cluster_id, status, error_code, fault_id, since, limit, wait_ms.' })
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/requests?status=abc' })).json().error_msg, 'Invalid querystring: /status: must be an integer.')
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/requests?wait_ms=30001' })).json().error_msg, 'Invalid querystring: /wait_ms: must be <= 30000.')
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/requests?limit=2.9' })).json().error_msg, 'Invalid querystring: /limit: must be an integer.', 'not truncated')
  t.same(await find('method=delete'), { count: 2, ids: ids.slice(0, 2) }, 'the method in any case')
})

t.test('wait_ms holds the answer until a matching request has been answered', async (t) => {
  const app = await build(t)
  await cancel(app)
  const waiting = get(app, '/_emulator/requests?operation=ShowSyncIamUser&wait_ms=30000')
  await cancel(app) // another operation: the wait goes on
  await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  const { count, requests } = await waiting
  t.equal(count, 1)
  t.equal(requests[0].operation, 'ShowSyncIamUser')

  const since = requests[0].request_id
  const next = get(app, `/_emulator/requests?since=${since}&wait_ms=30000&method=GET`)
  await app.inject({ method: 'GET', url: syncPath(), headers: TOKEN })
  t.equal((await next).count, 1, 'since and wait: the next request')

  t.same(await get(app, '/_emulator/requests?operation=ListSyncRequirements&wait_ms=1'), { count: 0, requests: [] }, 'the time is up: none')
  t.equal((await get(app, '/_emulator/requests?operation=CancelSyncIamUser&wait_ms=30000')).count, 2, 'a match already there: no wait')

  const off = await build(t, { journalSize: 0 })
  t.same(await get(off, '/_emulator/requests?wait_ms=30000'), { count: 0, requests: [] }, 'a journal turned off: no wait')

  const held = get(app, '/_emulator/requests?operation=ListSyncRequirements&wait_ms=30000')
  await app.close()
  t.same(await held, { count: 0, requests: [] }, 'closing ends the waits')
})

t.test('DELETE /_emulator/requests empties the journal, or one project\'s entries', async (t) => {
  const app = await build(t)
  await cancel(app)
  await app.inject({ method: 'GET', url: syncPath(OTHER_PROJECT), headers: TOKEN })
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/requests?project_id=${PROJECT}` })).statusCode, 204)
  t.same((await get(app, '/_emulator/requests')).requests.map((e: { project_id: string }) => e.project_id), [OTHER_PROJECT])
  await app.inject({ method: 'DELETE', url: '/_emulator/requests' })
  t.equal((await get(app, '/_emulator/requests')).count, 0)
})

t.test('the journal keeps its size, response bodies included, cut at 16 KiB', async (t) => {
  const app = await build(t, { journalSize: 3 })
  const names = Array.from({ length: 1000 }, (_, i) => `user-with-a-long-name-${i}`)
  await app.inject({ method: 'PUT', url: '/_emulator/projects/p1/clusters/big', payload: { state: 'running', synced_users: names, synced_groups: [] } })
  for (let i = 0; i < 5; i++) await app.inject({ method: 'GET', url: '/v2/p1/clusters/big/iam-sync-user', headers: TOKEN })
  const { count, requests } = await get(app, '/_emulator/requests')
  t.equal(count, 3)
  for (const entry of requests) t.match(entry.response.body, /…\[truncated: \d+ bytes in all\]$/)
  t.equal(requests[0].response.body, requests[2].response.body)
})

t.test('GET /_emulator/requests.har: the journal as a valid HAR 1.2 document, same filters, secrets redacted', async (t) => {
  const app = await build(t)
  await post(app, '/_emulator/faults', { id: 'late', match: { method: 'GET' }, action: { status: 503, error_code: 'APIGW.0503', error_msg: 'Down.', delay_ms: 0 } })
  await cancel(app)
  await app.inject({ method: 'GET', url: `${syncPath()}?a=1&b=two`, headers: TOKEN })
  await app.inject({ method: 'POST', url: userPath(), headers: { 'x-auth-token': 'secret-token', 'content-type': 'application/json' }, payload: '{not json' })
  const res = await app.inject({ method: 'GET', url: '/_emulator/requests.har' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-disposition'], /attachment; filename="mrs-emulator\.har"/)
  const har = res.json()

  const require = createRequire(import.meta.url)
  const schemas = require('har-schema') as Record<string, object>
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false })
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'))
  for (const [name, schema] of Object.entries(schemas)) if (name !== 'har') ajv.addSchema(schema)
  const valid = ajv.validate(schemas.har!, har)
  t.ok(valid, JSON.stringify(ajv.errors))

  t.match(har.log, { version: '1.2', creator: { name: 'mrs-emulator' } })
  const [deleted, got, posted] = har.log.entries
  t.match(deleted.request, { method: 'DELETE', url: `http://localhost${userPath()}`, postData: { mimeType: 'application/json', text: '{"user_names":["user1"]}' } })
  t.match(deleted.response, { status: 202, statusText: 'Accepted', content: { text: '{"state":"synchronizing"}' } })
  t.same(got.request.queryString, [{ name: 'a', value: '1' }, { name: 'b', value: 'two' }])
  t.equal(got._fault_id, 'late')
  t.equal(got.request.postData, undefined, 'no body, no postData')
  t.equal(posted.request.postData.text, '{not json')
  t.ok(posted.request.headers.some((h: { name: string, value: string }) => h.name === 'x-auth-token' && h.value === '[REDACTED]'))
  t.notMatch(res.body, 'secret-token')
  t.equal((await get(app, '/_emulator/requests.har?method=GET')).log.entries.length, 1, 'filtered')
})

t.test('fault scripts: ids, after, times, counters; used-up rules stay listed', async (t) => {
  const app = await build(t)
  // "The second call fails, once."
  const added = await post(app, '/_emulator/faults', { id: 'second-fails', match: { operation: 'CancelSyncIamUser' }, action: { status: 500, error_code: '12000004', error_msg: 'Internal server error.' }, after: 1, times: 1 })
  t.equal(added.statusCode, 201)
  t.same(added.json(), { id: 'second-fails', match: { operation: 'CancelSyncIamUser' }, action: { status: 500, error_code: '12000004', error_msg: 'Internal server error.' }, after: 1, times: 1, hits: 0, acted: 0, remaining: 1 })
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await cancel(app)).statusCode)
  t.same(statuses, [202, 500, 202])
  t.match((await get(app, '/_emulator/faults')).faults, [{ id: 'second-fails', hits: 3, acted: 1, remaining: 0 }])
  t.same((await get(app, '/_emulator/requests?fault_id=second-fails')).count, 1)

  const duplicate = await post(app, '/_emulator/faults', { id: 'second-fails', action: { drop: true } })
  t.equal(duplicate.statusCode, 409)
  t.same(duplicate.json(), { error_code: 'EMULATOR.0409', error_msg: 'A fault rule with id second-fails exists: delete it first, or choose another id.' })
  const badId = await post(app, '/_emulator/faults', { id: 'no spaces', action: { drop: true } })
  t.equal(badId.json().error_msg, 'Invalid body: /id: must be 1 to 64 letters, digits, underscores or hyphens.')
  const framing = await post(app, '/_emulator/faults', { action: { status: 500, error_code: 'X', error_msg: 'x', headers: { 'Content-Length': '0' } } })
  t.same(framing.json(), { error_code: 'EMULATOR.0400', error_msg: 'Invalid body: /action/headers/Content-Length: a fault may not set Content-Length.' })
  const injection = await post(app, '/_emulator/faults', { action: { status: 500, error_code: 'X', error_msg: 'x', headers: { 'X-A': 'a\r\nSet-Cookie: b' } } })
  t.equal(injection.json().error_msg, 'Invalid body: /action/headers/X-A: must be a header value without control characters.')
  const badName = await post(app, '/_emulator/faults', { action: { status: 500, error_code: 'X', error_msg: 'x', headers: { 'X-A\r\nB': 'a' } } })
  t.match(badName.json().error_msg, /^Invalid body: \/action\/headers\/X-A\r\nB: must be a header name \(/)
  const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`X-${i}`, 'v']))
  t.equal((await post(app, '/_emulator/faults', { action: { status: 500, error_code: 'X', error_msg: 'x', headers: many } })).json().error_msg, 'Invalid body: /action/headers: must have at most 16 entries.')
  t.equal((await post(app, '/_emulator/faults', { action: { status: 500, error_code: 'X', error_msg: 'x', headers: { 'X-Big': 'v'.repeat(1025) } } })).json().error_msg, 'Invalid body: /action/headers/X-Big: must be at most 1024 characters.')
  t.equal((await post(app, '/_emulator/faults', { action: { status: 500, error_code: 'X', error_msg: 'x', headers: { 'Content-Encoding': 'gzip' } } })).statusCode, 400)
})

t.test('every matching rule counts a request; the first active one acts; probability is drawn only for it', async (t) => {
  const draws = [0.9, 0.1]
  const app = await build(t, { random: () => draws.shift()! })
  await post(app, '/_emulator/faults', { id: 'maybe', action: { status: 503, error_code: 'A', error_msg: 'a' }, probability: 0.5 })
  await post(app, '/_emulator/faults', { id: 'later', action: { status: 500, error_code: 'B', error_msg: 'b' }, after: 5 })
  t.equal((await cancel(app)).statusCode, 202, 'maybe drew 0.9: no; later is not past after')
  t.equal((await cancel(app)).statusCode, 503, 'maybe drew 0.1')
  t.match((await get(app, '/_emulator/faults')).faults, [{ id: 'maybe', hits: 2, acted: 1, remaining: null }, { id: 'later', hits: 2, acted: 0 }])
})

t.test('"503, then 500, then success": rules in order, each acting once', async (t) => {
  const app = await build(t)
  await post(app, '/_emulator/faults', { id: 'first', match: { operation: 'CancelSyncIamUser' }, action: { status: 503, error_code: 'APIGW.0503', error_msg: 'Unavailable.' }, times: 1 })
  await post(app, '/_emulator/faults', { id: 'then', match: { operation: 'CancelSyncIamUser' }, action: { status: 500, error_code: '12000004', error_msg: 'Internal server error.' }, times: 1 })
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await cancel(app)).statusCode)
  t.same(statuses, [503, 500, 202])
})

t.test('"slow, then an error": an error after its delay; deleting the rule lets the request go on normally', async (t) => {
  const waits: number[] = []
  let release: (() => void) | undefined
  const app = await build(t, {
    sleep: (ms, signal) => {
      waits.push(ms)
      if (ms === 1) return Promise.resolve()
      return new Promise((resolve) => { release = () => resolve(undefined); signal.addEventListener('abort', () => resolve(undefined)) })
    }
  })
  await post(app, '/_emulator/faults', { id: 'slow-error', action: { status: 504, error_code: 'APIGW.0504', error_msg: 'Timeout.', delay_ms: 1 }, times: 1 })
  const slow = await cancel(app)
  t.equal(slow.statusCode, 504)
  t.same(waits, [1])

  await post(app, '/_emulator/faults', { id: 'hold', action: { status: 500, error_code: 'X', error_msg: 'x', delay_ms: 60_000 } })
  const held = cancel(app)
  while (release === undefined) await new Promise((resolve) => setImmediate(resolve))
  await app.inject({ method: 'DELETE', url: '/_emulator/faults/hold' })
  const res = await held
  t.equal(res.statusCode, 202, 'the rule went: answered normally')
  t.equal((await get(app, '/_emulator/requests?limit=1')).requests[0].fault_id, 'hold', 'the journal says which rule held it')
})

t.test('fixture rules get stable ids, fixture-1, fixture-2, …; a fixture with duplicate or framing rules is refused', async (t) => {
  const projects = [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [] }]
  const app = await build(t, {
    fixtures: { projects, faults: [{ action: { delay_ms: 1 } }, { id: 'named', action: { drop: true } }, { action: { drop: true }, match: { project_id: 'p1' } }] }
  })
  const ids = async () => (await get(app, '/_emulator/faults')).faults.map((f: { id: string }) => f.id)
  t.same(await ids(), ['fixture-1', 'named', 'fixture-3'])
  await app.inject({ method: 'DELETE', url: '/_emulator/faults' })
  await post(app, '/_emulator/reset')
  t.same(await ids(), ['fixture-1', 'named', 'fixture-3'], 'the same after a reset')

  const { buildApp } = await import('../../../src/app.js')
  await t.rejects(buildApp({ fixtures: { projects, faults: [{ action: { drop: true } }, { id: 'fixture-1', action: { drop: true } }] } }),
    { message: "fixtures option: /faults/1/id: duplicate fault id 'fixture-1'" })
  await t.rejects(buildApp({ fixtures: { projects, faults: [{ action: { status: 500, error_code: 'X', error_msg: 'x', headers: { 'transfer-encoding': 'x' } } }] } }),
    { message: 'fixtures option: /faults/0/action/headers/transfer-encoding: a fault may not set transfer-encoding' })
})

t.test('the clock: read it, move it forward; tasks finish, journal times follow, signatures stay on the real clock', async (t) => {
  const real = fakeClock(Date.UTC(2030, 0, 1))
  const app = await build(t, { now: real.now, syncDurationMs: 3_600_000, auth: 'strict' })
  t.same(await get(app, '/_emulator/clock'), { now: '2030-01-01T00:00:00.000Z', offset_ms: 0 })
  const signed = (method: string, url: string, body?: object) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const headers = signRequest({ method, url, headers: { host: 'localhost:80', 'content-type': 'application/json' }, body: text },
      { algorithm: 'SDK-HMAC-SHA256', accessKey: 'EMULATORAK0000000001', secretKey: 'EmulatorSecretKey0000000000000000000001', date: '20300101T000000Z' })
    return app.inject({ method: method as 'GET', url, headers, ...(text === undefined ? {} : { payload: text }) })
  }
  t.equal((await signed('POST', userPath(), { user_names: ['user1'] })).statusCode, 202)
  t.same((await get(app, '/_emulator/projects/' + PROJECT + '/clusters/' + CLUSTER)).sync_task.ends_at, '2030-01-01T01:00:00.000Z')

  const moved = await post(app, '/_emulator/clock', { advance_ms: 3_600_000 })
  t.same(moved.json(), { now: '2030-01-01T01:00:00.000Z', offset_ms: 3_600_000 })
  t.same((await get(app, `/_emulator/projects/${PROJECT}/clusters/${CLUSTER}`)).synced_users, ['user1'], 'the task due by then finished')
  const after = await signed('GET', userPath())
  t.equal(after.statusCode, 200, 'signed with the client\'s (real) clock: still fresh')
  t.equal((await get(app, '/_emulator/requests?limit=1')).requests[0].time, '2030-01-01T01:00:00.000Z', 'the journal follows the emulator\'s clock')

  t.equal((await post(app, '/_emulator/clock', { advance_ms: -1 })).json().error_msg, 'Invalid body: /advance_ms: must be >= 0.')
  t.equal((await post(app, '/_emulator/clock', {})).json().error_msg, 'Invalid body: /advance_ms: is required.')
  t.equal((await post(app, '/_emulator/clock', { advance_ms: 31_536_000_001 })).statusCode, 400)
  for (let year = 1; year < 100; year++) await post(app, '/_emulator/clock', { advance_ms: 31_536_000_000 })
  const tooFar = await post(app, '/_emulator/clock', { advance_ms: 31_536_000_000 })
  t.equal(tooFar.statusCode, 400)
  t.match(tooFar.json().error_msg, /^The clock moves at most 3153600000000 ms \(100 years\) ahead of real time in all; it is 3122067600000 ms ahead/)
  t.equal((await get(app, '/_emulator/clock')).offset_ms, 3_122_067_600_000, 'and did not move')
  await post(app, '/_emulator/reset')
  t.same(await get(app, '/_emulator/clock'), { now: '2030-01-01T00:00:00.000Z', offset_ms: 0 }, 'a reset puts it back')
})

t.test('scoped reset: one project back as the fixtures had it; the others, their journal entries and rules untouched', async (t) => {
  const app = await build(t, {
    syncDurationMs: 60_000,
    fixtures: {
      projects: [
        { project_id: 'p1', iam: { users: [{ name: 'u1', groups: [] }], groups: [] }, clusters: [{ cluster_id: 'c1', state: 'running', synced_users: [], synced_groups: [] }] },
        { project_id: 'p2', iam: { users: [{ name: 'u2', groups: [] }], groups: [] }, clusters: [{ cluster_id: 'c2', state: 'running', synced_users: [], synced_groups: [] }] }
      ],
      credentials: [{ token: 't1', project_id: 'p1' }, { token: 't2', project_id: 'p2' }],
      faults: [{ match: { project_id: 'p1', method: 'GET' }, action: { delay_ms: 0 } }]
    }
  })
  for (const [project, cluster, user] of [['p1', 'c1', 'u1'], ['p2', 'c2', 'u2']]) {
    await app.inject({ method: 'POST', url: `/v2/${project}/clusters/${cluster}/iam-sync-user`, headers: JSON_HEADERS, payload: { user_names: [user] } })
  }
  await app.inject({ method: 'PUT', url: '/_emulator/projects/p1/clusters/extra', payload: { state: 'running', synced_users: [], synced_groups: [] } })
  await app.inject({ method: 'PUT', url: '/_emulator/projects/p3/clusters/c3', payload: { state: 'running', synced_users: [], synced_groups: [] } })
  await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { ...(await get(app, '/_emulator/state')), credentials: [{ token: 'added', project_id: 'p1' }, { token: 't2', project_id: 'p2' }] } })
  await post(app, '/_emulator/faults', { id: 'p1-rule', match: { project_id: 'p1' }, action: { drop: true } })
  await post(app, '/_emulator/faults', { id: 'p2-rule', match: { project_id: 'p2' }, action: { drop: true } })
  await app.inject({ method: 'DELETE', url: '/_emulator/faults/fixture-1' })

  t.same((await post(app, '/_emulator/reset?project_id=p1')).json(), { status: 'reset' })
  const state = await get(app, '/_emulator/state')
  const p1 = state.projects.find((p: { project_id: string }) => p.project_id === 'p1')
  const p2 = state.projects.find((p: { project_id: string }) => p.project_id === 'p2')
  t.same(p1.clusters, [{ cluster_id: 'c1', state: 'running', synced_users: [], synced_groups: [], is_synchronous: false }], 'p1 as the fixtures had it: no task, no extra cluster')
  t.ok(p2.clusters[0].sync_task, 'p2 keeps its running task')
  t.ok(state.projects.some((p: { project_id: string }) => p.project_id === 'p3'), 'p3 untouched')
  t.same(state.credentials, [{ token: 't2', project_id: 'p2' }, { token: 't1', project_id: 'p1' }], 'p1\'s credentials back, p2\'s kept')
  t.same((await get(app, '/_emulator/faults')).faults.map((f: { id: string }) => f.id), ['p2-rule', 'fixture-1'], 'p1\'s rules dropped, its fixture rule back')
  t.same((await get(app, '/_emulator/requests')).requests.map((e: { project_id: string }) => e.project_id), ['p2'], 'p1\'s journal entries dropped')

  await post(app, '/_emulator/reset?project_id=p3')
  t.notOk((await get(app, '/_emulator/state')).projects.some((p: { project_id: string }) => p.project_id === 'p3'), 'a project the fixtures lack is removed')

  // A rule of another project took a fixture rule's id: the fixture rule is not put back twice.
  await app.inject({ method: 'DELETE', url: '/_emulator/faults/fixture-1' })
  await post(app, '/_emulator/faults', { id: 'fixture-1', match: { project_id: 'p2' }, action: { drop: true } })
  await post(app, '/_emulator/reset?project_id=p1')
  t.same((await get(app, '/_emulator/faults')).faults.map((f: { id: string, match: { project_id: string } }) => `${f.id}:${f.match.project_id}`), ['p2-rule:p2', 'fixture-1:p2'])

  // Fixtures with neither credentials nor faults.
  const bare = await build(t, { fixtures: { projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [] }] } })
  t.equal((await post(bare, '/_emulator/reset?project_id=p1')).statusCode, 200)
  t.same(await get(bare, '/_emulator/state'), { domain: DEFAULT_DOMAIN, projects: [{ project_id: 'p1', name: 'p1', iam: { users: [], groups: [] }, clusters: [] }], credentials: [] })
})

t.test('tasks/complete: every task, or a project\'s, or a cluster\'s', async (t) => {
  const app = await build(t, { syncDurationMs: 60_000 })
  for (const [project, cluster] of [[PROJECT, CLUSTER], [PROJECT, SYNCED_CLUSTER], [OTHER_PROJECT, CLUSTER]]) {
    t.equal((await app.inject({ method: 'DELETE', url: userPath(project, cluster), headers: TOKEN })).statusCode, 202)
  }
  t.same((await post(app, `/_emulator/tasks/complete?project_id=${PROJECT}&cluster_id=${SYNCED_CLUSTER}`)).json(), { completed: 1 })
  t.same((await post(app, `/_emulator/tasks/complete?cluster_id=${CLUSTER}`)).json(), { completed: 2 }, 'that cluster id in every project')
  t.same((await post(app, '/_emulator/tasks/complete')).json(), { completed: 0 })
  t.equal((await post(app, '/_emulator/tasks/complete?project=x')).statusCode, 400)
  t.equal((await post(app, '/_emulator/tasks/complete?cluster_id=a.b')).json().error_msg, 'Invalid querystring: /cluster_id: must be letters, digits, underscores and hyphens only.')
  for (const url of ['/_emulator/reset?project_id=bad%21id', '/_emulator/reset?project_id=']) {
    t.equal((await post(app, url)).json().error_code, 'EMULATOR.0400', `${url}: a typo is not silently a no-op`)
  }
  t.equal((await app.inject({ method: 'DELETE', url: '/_emulator/requests?project_id=a-b' })).statusCode, 400)
})
