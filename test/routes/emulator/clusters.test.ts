import t from 'tap'
import { build, CLUSTER, JSON_HEADERS, PROJECT, TOKEN, userPath } from '../../helpers.js'

const url = (project = PROJECT, cluster = CLUSTER) => `/_emulator/projects/${project}/clusters/${cluster}`

t.test('PUT creates a cluster, and its project when absent: 201', async (t) => {
  const app = await build(t)
  const body = { state: 'running', synced_users: ['not-in-any-directory'], synced_groups: ['g'] }
  const res = await app.inject({ method: 'PUT', url: url('newproject', 'new-cluster'), payload: body })
  t.equal(res.statusCode, 201)
  t.same(res.json(), { cluster_id: 'new-cluster', ...body, is_synchronous: false })
  t.same((await app.inject({ method: 'GET', url: userPath('newproject', 'new-cluster'), headers: TOKEN })).json(),
    { user_names: ['not-in-any-directory'], group_names: ['g'] }, 'the control plane sets the world as told')
})

t.test('PUT replaces an existing cluster: 200; GET shows it; DELETE removes it', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'PUT', url: url(), payload: { state: 'stopped', synced_users: [], synced_groups: [], is_synchronous: true } })
  t.equal(res.statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: userPath(), headers: TOKEN })).json().error_code, '12000054')
  t.same((await app.inject({ method: 'GET', url: url() })).json(), { cluster_id: CLUSTER, state: 'stopped', synced_users: [], synced_groups: [], is_synchronous: true })
  const deleted = await app.inject({ method: 'DELETE', url: url() })
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.body, '')
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json().error_code, '12000003')
})

t.test('a cluster seeded with a running task answers 12000154 until the task is completed', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'PUT', url: url(), payload: { state: 'running', synced_users: ['user1'], synced_groups: [], sync_task: { kind: 'cancel', user_names: ['user1'], group_names: [], ends_at: '2999-01-01T00:00:00Z' } } })
  t.equal((await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: '{}' })).json().error_code, '12000154')
  t.match((await app.inject({ method: 'GET', url: url() })).json(), { sync_task: { kind: 'cancel', ends_at: '2999-01-01T00:00:00.000Z' } })
  await app.inject({ method: 'POST', url: '/_emulator/tasks/complete' })
  t.same((await app.inject({ method: 'GET', url: url() })).json(), { cluster_id: CLUSTER, state: 'running', synced_users: [], synced_groups: [], is_synchronous: true })
})

t.test('unknown clusters: 404 EMULATOR.0404', async (t) => {
  const app = await build(t)
  for (const method of ['GET', 'DELETE'] as const) {
    const res = await app.inject({ method, url: url(PROJECT, 'nope') })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error_code: 'EMULATOR.0404', error_msg: `No cluster nope in project ${PROJECT}.` })
  }
  t.equal((await app.inject({ method: 'DELETE', url: url('noproject', 'nope') })).statusCode, 404)
})

t.test('bad ids or bodies: 400 EMULATOR.0400 naming the field', async (t) => {
  const app = await build(t)
  const cases: Array<[string, unknown, string]> = [
    [url('bad-project'), { state: 'running', synced_users: [], synced_groups: [] }, 'Invalid params: /project_id: must be letters and digits only.'],
    [url(PROJECT, 'bad.cluster'), { state: 'running', synced_users: [], synced_groups: [] }, 'Invalid params: /cluster_id: must be letters, digits, underscores and hyphens only.'],
    [url(), { state: 'runing', synced_users: [], synced_groups: [] },
      'Invalid body: /state: must be one of starting, running, terminated, failed, abnormal, terminating, frozen, scaling-out, scaling-in, stopped.'],
    [url(), { state: 'running', synced_users: [1], synced_groups: [] }, 'Invalid body: /synced_users/0: must be a string.'],
    [url(), { state: 'running', synced_users: [], synced_groups: [], extra: 1 }, 'Invalid body: /extra: unknown field; the allowed ones are state, synced_users, synced_groups, is_synchronous, sync_task.'],
    [url(), { state: 'nope', synced_users: 'x' }, 'Invalid body: /synced_groups: is required; /state: must be one of starting, running, terminated, failed, abnormal, terminating, frozen, scaling-out, scaling-in, stopped; /synced_users: must be an array.'],
    [url(), { state: 'running', synced_users: [], synced_groups: [], sync_task: { kind: 'sync', user_names: [], group_names: [], ends_at: '2030-99-99T00:00:00Z' } }, "Invalid body: /sync_task/ends_at: not a real date: '2030-99-99T00:00:00Z'."]
  ]
  for (const [target, payload, message] of cases) {
    const res = await app.inject({ method: 'PUT', url: target, payload: payload as object })
    t.equal(res.statusCode, 400)
    t.same(res.json(), { error_code: 'EMULATOR.0400', error_msg: message })
  }
})

t.test('names are plain data in the control plane too', async (t) => {
  const app = await build(t)
  const names = ['__proto__', 'constructor', 'toString', '', 'x'.repeat(64), '名前']
  await app.inject({ method: 'PUT', url: url(), payload: { state: 'running', synced_users: names, synced_groups: names } })
  t.same((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json(), { user_names: names, group_names: names })
  await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['__proto__'] } })
  t.same((await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json().user_names, names.slice(1))
  t.equal(({} as Record<string, unknown>).toString, Object.prototype.toString)
})

t.test('the world is bounded: a cluster past its limits is refused with 409 EMULATOR.0409, a name past 64 characters with 400', async (t) => {
  const app = await build(t)
  const synced = Array.from({ length: 100_001 }, (_, i) => `u${i}`)
  const full = await app.inject({ method: 'PUT', url: url(PROJECT, 'big'), payload: { state: 'running', synced_users: synced, synced_groups: [] } })
  t.equal(full.statusCode, 409)
  t.match(full.json(), { error_code: 'EMULATOR.0409', error_msg: /^The world would hold more than 100,000 names: the emulator's limit\./ })
  t.equal((await app.inject({ method: 'GET', url: url(PROJECT, 'big') })).statusCode, 404, 'nothing was made')
  const long = await app.inject({ method: 'PUT', url: url(PROJECT, 'long'), payload: { state: 'running', synced_users: ['x'.repeat(65)], synced_groups: [] } })
  t.equal(long.statusCode, 400)
  t.match(long.json(), { error_code: 'EMULATOR.0400', error_msg: /synced_users\/0/ })
})
