import t from 'tap'
import { build, CLUSTER, JSON_HEADERS, PROJECT, TOKEN, userPath } from '../helpers.js'

t.test("the documentation example: the named users, user1's group and the named groups", async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: userPath(),
    headers: JSON_HEADERS,
    payload: { is_all_sync: false, group_names: ['groups1'], user_names: ['user1', 'user2'] }
  })
  t.equal(res.statusCode, 202)
  t.same(res.json(), { state: 'synchronizing' })
  const shown = await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.same(shown.json(), { user_names: ['user1', 'user2'], group_names: ['groups1'] })
})

t.test('is_all_sync synchronizes the whole directory of the project', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { is_all_sync: true } })
  const shown = await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.same(shown.json(), {
    user_names: ['user1', 'user2', 'analyst', 'etl_service'],
    group_names: ['groups1', 'analysts', 'supergroup', 'etl']
  })
})

t.test('a user or group not in the directory: 12000157 / 12000156, nothing synchronized', async (t) => {
  const app = await build(t)
  let res = await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1', 'ghost'] } })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error_code: '12000157', error_msg: 'Failed to query Iam user or role: ghost' })
  res = await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { group_names: ['ghosts'] } })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error_code: '12000156', error_msg: 'Failed to query Iam group: ghosts' })
  const shown = await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.same(shown.json(), { user_names: [], group_names: [] })
})

t.test('the arrays have no documented limit on the sync call', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: Array(1500).fill('user1') } })
  t.equal(res.statusCode, 202)
})

t.test('is_all_sync must be a boolean', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: userPath(PROJECT, CLUSTER), headers: JSON_HEADERS, payload: { is_all_sync: 'true' } })
  t.same(res.json(), { error_code: '12000002', error_msg: 'is_all_sync is invalid: expected boolean' })
})
