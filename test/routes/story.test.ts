import t from 'tap'
import { build, CLUSTER, fakeClock, JSON_HEADERS, PROJECT, syncPath, synchronousPath, TOKEN, userPath } from '../helpers.js'

t.test('sync → show → cancel → show, across the five operations', async (t) => {
  const app = await build(t)
  const get = async (url: string) => (await app.inject({ method: 'GET', url, headers: TOKEN })).json()

  t.same(await get(synchronousPath()), { is_synchronous: false }, 'the fixture cluster has never synchronized')
  t.same(await get(syncPath()), { is_synchronizing: false })

  t.equal((await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1', 'analyst'] } })).statusCode, 202)
  t.same(await get(userPath()), { user_names: ['user1', 'analyst'], group_names: ['groups1', 'analysts', 'supergroup'] })
  t.same(await get(synchronousPath()), { is_synchronous: true })

  t.equal((await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['analyst'], group_names: ['supergroup'] } })).statusCode, 202)
  t.same(await get(userPath()), { user_names: ['user1'], group_names: ['groups1', 'analysts'] })
  t.same(await get(syncPath()), { is_synchronizing: false })
})

t.test('with a sync duration, the task runs until the clock passes its end', async (t) => {
  const clock = fakeClock()
  const app = await build(t, { now: clock.now, syncDurationMs: 3000 })
  const get = async (url: string) => (await app.inject({ method: 'GET', url, headers: TOKEN })).json()

  await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user2'] } })
  t.same(await get(syncPath()), { is_synchronizing: true })
  t.same(await get(synchronousPath()), { is_synchronous: false })
  t.same(await get(userPath()), { user_names: [], group_names: [] })

  const again = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user2'] } })
  t.equal(again.statusCode, 500)
  t.same(again.json(), { error_code: '12000154', error_msg: `IAM synchronization is in progress and cannot be triggered again in the same cluster. Cluster ID: ${CLUSTER}` })

  clock.advance(3000)
  t.same(await get(syncPath()), { is_synchronizing: false })
  t.same(await get(synchronousPath()), { is_synchronous: true })
  t.same(await get(userPath(PROJECT, CLUSTER)), { user_names: ['user2'], group_names: [] })
})
