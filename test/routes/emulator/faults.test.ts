import { once } from 'node:events'
import { request } from 'node:http'
import t from 'tap'
import { build, CLUSTER, JSON_HEADERS, PROJECT, SYNCED_CLUSTER, syncPath, TOKEN, userPath } from '../../helpers.js'
import { LIMITS } from '../../../src/core/limits.js'

const addFault = async (app: Awaited<ReturnType<typeof build>>, rule: object) => {
  const res = await app.inject({ method: 'POST', url: '/_emulator/faults', payload: rule })
  return res
}

t.test('an error rule answers the given status and body for the matching operation', async (t) => {
  const app = await build(t)
  const res = await addFault(app, { match: { operation: 'CancelSyncIamUser', cluster_id: CLUSTER }, action: { status: 500, error_code: '12000004', error_msg: 'Internal server error.' }, times: 2 })
  t.equal(res.statusCode, 201)
  const rule = res.json()
  t.match(rule, { id: /^[0-9a-f-]{36}$/, hits: 0, acted: 0, remaining: 2, times: 2, match: { operation: 'CancelSyncIamUser' } })

  const other = await app.inject({ method: 'DELETE', url: userPath(PROJECT, SYNCED_CLUSTER), headers: TOKEN })
  t.equal(other.statusCode, 202, 'another cluster is not matched')
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).statusCode, 200, 'another operation is not matched')
  for (let i = 0; i < 2; i++) {
    const hit = await app.inject({ method: 'DELETE', url: userPath(), headers: TOKEN })
    t.equal(hit.statusCode, 500)
    t.same(hit.json(), { error_code: '12000004', error_msg: 'Internal server error.' })
    t.match(hit.headers['x-request-id'], /^[0-9a-f]{32}$/)
  }
  t.equal((await app.inject({ method: 'DELETE', url: userPath(), headers: TOKEN })).statusCode, 202, 'used up after times')
  t.match((await app.inject({ method: 'GET', url: '/_emulator/faults' })).json(), { faults: [{ id: rule.id, hits: 3, acted: 2, remaining: 0 }] }, 'and still listed, to be asserted on')
})

t.test('faults come before auth, and a gateway code gets the request id', async (t) => {
  const app = await build(t)
  await addFault(app, { match: { method: 'GET', project_id: PROJECT }, action: { status: 429, error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached.' } })
  const res = await app.inject({ method: 'GET', url: syncPath() })
  t.equal(res.statusCode, 429)
  t.same(res.json(), { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached.', request_id: res.headers['x-request-id'] })
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/health' })).statusCode, 200, 'never the control plane')
  t.equal((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode, 404, 'nor unknown paths')
})

t.test('probability decides with the injected random source', async (t) => {
  const draws = [0.2, 0.7, 0.49]
  const app = await build(t, { random: () => draws.shift()! })
  await addFault(app, { action: { status: 503, error_code: 'APIGW.0503', error_msg: 'Unavailable.' }, probability: 0.5 })
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'GET', url: syncPath(), headers: TOKEN })).statusCode)
  t.same(statuses, [503, 200, 503])
})

t.test('a delay rule waits, then the request is answered normally', async (t) => {
  const waits: number[] = []
  const app = await build(t, { sleep: async (ms) => { waits.push(ms) } })
  await addFault(app, { match: { operation: 'ShowSyncIamUser' }, action: { delay_ms: 2500 }, times: 1 })
  const res = await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.equal(res.statusCode, 200)
  t.same(waits, [2500])
})

t.test('a real delay really waits', async (t) => {
  const app = await build(t)
  await addFault(app, { action: { delay_ms: 1 } })
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).statusCode, 200)
})

t.test('a drop rule closes the connection without answering, and the journal says so', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  await addFault(app, { match: { operation: 'CancelSyncIamUser' }, action: { drop: true } })
  const req = request({ port, host: '127.0.0.1', method: 'DELETE', path: userPath(), headers: { ...JSON_HEADERS, 'content-length': '2' } })
  req.end('{}')
  const [err] = await once(req, 'error') as [NodeJS.ErrnoException]
  t.equal(err.code, 'ECONNRESET')
  const journal = (await app.inject({ method: 'GET', url: '/_emulator/requests' })).json().requests
  t.match(journal, [{ operation: 'CancelSyncIamUser', status: 0, error_code: null, fault_id: journal[0].fault_id, response: null, body: {} }], 'the body it sent kept, nothing sent back')
  t.match(journal[0].fault_id, /^[0-9a-f-]{36}$/)
})

t.test('rules are listed in order, deleted one by one or all at once', async (t) => {
  const app = await build(t)
  const a = (await addFault(app, { action: { delay_ms: 0 } })).json()
  const b = (await addFault(app, { action: { drop: true }, match: { cluster_id: 'x' } })).json()
  t.same((await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().faults.map((f: { id: string }) => f.id), [a.id, b.id])
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/faults/${a.id}` })).statusCode, 204)
  const missing = await app.inject({ method: 'DELETE', url: `/_emulator/faults/${a.id}` })
  t.equal(missing.statusCode, 404)
  t.same(missing.json(), { error_code: 'EMULATOR.0404', error_msg: `No fault rule ${a.id}.` })
  t.equal((await app.inject({ method: 'DELETE', url: '/_emulator/faults' })).statusCode, 204)
  t.same((await app.inject({ method: 'GET', url: '/_emulator/faults' })).json(), { faults: [] })
})

t.test('bad rules: 400 EMULATOR.0400', async (t) => {
  const app = await build(t)
  for (const rule of [
    {},
    { action: { status: 200, error_code: 'x', error_msg: 'y' } },
    { action: { drop: false } },
    { action: { delay_ms: -1 } },
    { action: { delay_ms: 1 }, match: { operation: 'DeleteCluster' } },
    { action: { delay_ms: 1 }, times: 0 },
    { action: { delay_ms: 1 }, probability: 1.5 },
    { action: { delay_ms: 1 }, extra: true }
  ]) {
    const res = await addFault(app, rule)
    t.equal(res.statusCode, 400, JSON.stringify(rule))
    t.equal(res.json().error_code, 'EMULATOR.0400')
  }
})

t.test('at most 1,000 rules: 409 EMULATOR.0409 past that', async (t) => {
  const app = await build(t)
  for (let i = 0; i < 1000; i++) app.emulator.faults.add({ action: { delay_ms: 0 }, match: { cluster_id: `c${i}` } })
  const res = await addFault(app, { action: { delay_ms: 0 } })
  t.equal(res.statusCode, 409)
  t.same(res.json(), { error_code: 'EMULATOR.0409', error_msg: 'At most 1000 fault rules: delete some first.' })
})

t.test('fixture faults are installed at start', async (t) => {
  const app = await build(t, {
    fixtures: {
      projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'c1', state: 'running', synced_users: [], synced_groups: [] }] }],
      faults: [{ match: { operation: 'ListSyncStatus' }, action: { status: 500, error_code: '12000004', error_msg: 'Internal server error.' }, times: 1 }]
    }
  })
  t.equal((await app.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync', headers: TOKEN })).statusCode, 500)
  t.equal((await app.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync', headers: TOKEN })).statusCode, 200)
})

t.test('more fault rules than the cap in a world or a fixture file are refused, naming the cap, not dropped', async (t) => {
  const app = await build(t)
  const rules = Array.from({ length: LIMITS.faultRules.value + 1 }, (_, i) => ({ id: `r${i}`, action: { delay_ms: 0 } }))
  const world = (await app.inject({ url: '/_emulator/state' })).json()
  const res = await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { ...world, faults: rules } })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error_code: 'EMULATOR.0400', error_msg: /faults.*1000/ })
  t.equal((await app.inject({ url: '/_emulator/faults' })).json().faults.length, 0, 'nothing was installed')
  await t.rejects(build(t, { fixtures: { ...world, faults: rules } }), /faults.*1000/, 'a fixture with too many rules stops the start')
  const fits = await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { ...world, faults: rules.slice(1) } })
  t.equal(fits.statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/faults' })).json().faults.length, LIMITS.faultRules.value, 'the cap itself fits, every rule kept')
})
