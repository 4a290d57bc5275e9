import t from 'tap'
import { build, CLUSTER, fakeClock, JSON_HEADERS, PROJECT, SYNCED_CLUSTER, syncPath, TOKEN, userPath } from '../../helpers.js'

t.test('GET /_emulator/state dumps the world in the fixture format', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })
  const res = await app.inject({ method: 'GET', url: '/_emulator/state' })
  t.equal(res.statusCode, 200)
  const state = res.json()
  t.equal(state.projects.length, 2)
  t.same(state.projects[0].clusters[0], { cluster_id: CLUSTER, state: 'running', synced_users: ['user1'], synced_groups: ['groups1'], is_synchronous: true })
  t.equal(state.credentials.length, 4)
  t.equal(state.faults, undefined, 'fault rules are not part of the world')
})

t.test('the dump shows running tasks, and can be loaded back', async (t) => {
  const clock = fakeClock(Date.UTC(2030, 0, 1))
  const app = await build(t, { now: clock.now, syncDurationMs: 5000 })
  await app.inject({ method: 'DELETE', url: userPath(PROJECT, SYNCED_CLUSTER), headers: JSON_HEADERS, payload: { group_names: ['etl', 'g', 'etl'] } })
  const state = (await app.inject({ method: 'GET', url: '/_emulator/state' })).json()
  t.same(state.projects[0].clusters[1].sync_task, { kind: 'cancel', user_names: [], group_names: ['etl'], ends_at: '2030-01-01T00:00:05.000Z' },
    'a cancel keeps the names it will remove, once each')
  t.equal(state.projects[0].clusters[1].is_synchronous, false)

  const other = await build(t, { now: clock.now, fixtures: state })
  t.same((await other.inject({ method: 'GET', url: syncPath(PROJECT, SYNCED_CLUSTER), headers: TOKEN })).json(), { is_synchronizing: true })
  clock.advance(5000)
  const settled = (await other.inject({ method: 'GET', url: '/_emulator/state' })).json().projects[0].clusters[1]
  t.same(settled.sync_task, undefined, 'settled when dumped')
  t.same(settled.synced_groups, ['analysts', 'supergroup'])
})

t.test('PUT /_emulator/state replaces the world; reset brings the fixtures back', async (t) => {
  const app = await build(t)
  const world = {
    projects: [{ project_id: 'p1', iam: { users: [{ name: 'u', groups: [] }], groups: [] }, clusters: [{ cluster_id: 'c1', state: 'running', synced_users: ['u'], synced_groups: [] }] }],
    credentials: [{ token: 'tok', project_id: 'p1' }]
  }
  const put = await app.inject({ method: 'PUT', url: '/_emulator/state', payload: world })
  t.equal(put.statusCode, 200)
  t.same(put.json().projects[0].clusters[0].synced_users, ['u'])
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json().error_code, '12000003', 'the old world is gone')
  t.same((await app.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync-user', headers: TOKEN })).json(), { user_names: ['u'], group_names: [] })

  const reset = await app.inject({ method: 'POST', url: '/_emulator/reset' })
  t.same(reset.json(), { status: 'reset' })
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync-user', headers: TOKEN })).statusCode, 400)
})

t.test('PUT /_emulator/state with faults replaces the fault rules too; without, it keeps them', async (t) => {
  const app = await build(t)
  const world = { projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [] }] }
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { drop: true } } })
  await app.inject({ method: 'PUT', url: '/_emulator/state', payload: world })
  t.match((await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().faults, [{ action: { drop: true } }], 'kept')
  const put = await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { ...world, faults: [{ action: { status: 503, error_code: 'APIGW.0501', error_msg: 'Service unavailable.' } }] } })
  t.equal(put.statusCode, 200)
  const faults = (await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().faults
  t.equal(faults.length, 1)
  t.equal(faults[0].action.status, 503, 'replaced')
})

t.test('reset drops tasks, added faults and the journal, and restores fixture faults', async (t) => {
  const app = await build(t, {
    syncDurationMs: 60_000,
    fixtures: {
      projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'c1', state: 'running', synced_users: [], synced_groups: [] }] }],
      faults: [{ match: { operation: 'ShowSyncIamUser' }, action: { status: 503, error_code: 'APIGW.0501', error_msg: 'Service unavailable.' } }]
    }
  })
  await app.inject({ method: 'POST', url: '/v2/p1/clusters/c1/iam-sync-user', headers: TOKEN })
  await app.inject({ method: 'DELETE', url: '/_emulator/faults' })
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { drop: true } } })
  await app.inject({ method: 'POST', url: '/_emulator/reset' })
  t.same((await app.inject({ method: 'GET', url: '/_emulator/requests' })).json(), { count: 0, requests: [] })
  const faults = (await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().faults
  t.equal(faults.length, 1)
  t.equal(faults[0].action.status, 503)
  t.equal(faults[0].id, 'fixture-1', 'with the same id as at start')
  t.same((await app.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync', headers: TOKEN })).json(), { is_synchronizing: false })
})

t.test('PUT /_emulator/state refuses a broken world with EMULATOR.0400 and keeps the old one', async (t) => {
  const app = await build(t)
  const cases: Array<[unknown, RegExp]> = [
    [{ projects: [{ project_id: 'p1' }] }, /^Invalid body: \/projects\/0\/iam: is required; \/projects\/0\/clusters: is required\.$/],
    [{ projects: 'none' }, /^Invalid body: \/projects: must be an array\.$/],
    [[], /^Invalid body: \/: must be an object\.$/],
    [{ projects: [{ project_id: 'p', iam: { users: [], groups: [] }, clusters: [] }, { project_id: 'p', iam: { users: [], groups: [] }, clusters: [] }] }, /^Invalid body: \/projects\/1\/project_id: duplicate project_id 'p'\.$/],
    [{ projects: [{ project_id: 'p', iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'c', state: 'running', synced_users: [], synced_groups: [], sync_task: { kind: 'sync', user_names: [], group_names: [], ends_at: '2030-13-45T99:00:00Z' } }] }] }, /sync_task\/ends_at: not a real date/]
  ]
  for (const [payload, message] of cases) {
    const res = await app.inject({ method: 'PUT', url: '/_emulator/state', payload: payload as object })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error_code, 'EMULATOR.0400')
    t.match(res.json().error_msg, message)
  }
  const noBody = await app.inject({ method: 'PUT', url: '/_emulator/state' })
  t.same(noBody.json(), { error_code: 'EMULATOR.0400', error_msg: 'Invalid body: a JSON body is required.' })
  const badJson = await app.inject({ method: 'PUT', url: '/_emulator/state', headers: { 'content-type': 'application/json' }, payload: '{' })
  t.same(badJson.json(), { error_code: 'EMULATOR.0400', error_msg: 'The request body is not valid JSON at line 1, column 2: unexpected end of the text' })
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).statusCode, 200, 'the world is unchanged')
})

t.test('POST /_emulator/tasks/complete finishes every running task now', async (t) => {
  const app = await build(t, { syncDurationMs: 3_600_000 })
  await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user2'] } })
  t.same((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json().user_names, [])
  t.same((await app.inject({ method: 'POST', url: '/_emulator/tasks/complete' })).json(), { completed: 1 })
  t.same((await app.inject({ method: 'GET', url: userPath(PROJECT, CLUSTER), headers: TOKEN })).json().user_names, ['user2'])
})
