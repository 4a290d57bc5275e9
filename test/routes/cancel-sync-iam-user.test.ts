import t from 'tap'
import { build, DOC_EXAMPLE_BODY, JSON_HEADERS, PROJECT, SYNCED_CLUSTER, TOKEN, userPath } from '../helpers.js'

const show = async (app: Awaited<ReturnType<typeof build>>, cluster = SYNCED_CLUSTER) =>
  (await app.inject({ method: 'GET', url: userPath(PROJECT, cluster), headers: TOKEN })).json()

t.test('the documentation example answers 202 {"state":"synchronizing"}', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: DOC_EXAMPLE_BODY })
  t.equal(res.statusCode, 202)
  t.equal(res.body, '{"state":"synchronizing"}')
  t.match(res.headers['content-type'], /^application\/json/)
  t.match(res.headers['x-request-id'], /^[0-9a-f]{32}$/)
})

t.test('removes exactly the named users and groups', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: userPath(PROJECT, SYNCED_CLUSTER), headers: JSON_HEADERS, payload: { user_names: ['analyst'], group_names: ['etl'] } })
  t.equal(res.statusCode, 202)
  t.same(await show(app), { user_names: ['etl_service'], group_names: ['analysts', 'supergroup'] })
})

t.test('accepts every way a client sends the body', async (t) => {
  const app = await build(t)
  const cases = [
    { name: 'no body, no content type', headers: TOKEN, payload: undefined },
    { name: 'empty body with application/json (what the Node SDK sends)', headers: JSON_HEADERS, payload: '' },
    { name: 'application/json;charset=UTF-8 (what the SDKs declare)', headers: { ...TOKEN, 'content-type': 'application/json;charset=UTF-8' }, payload: JSON.stringify({ user_names: ['nobody'] }) },
    { name: 'an empty object', headers: JSON_HEADERS, payload: '{}' },
    { name: 'empty arrays', headers: JSON_HEADERS, payload: '{"user_names":[],"group_names":[]}' },
    { name: 'an empty body with another content type', headers: { ...TOKEN, 'content-type': 'text/plain' }, payload: '' }
  ]
  for (const { name, headers, payload } of cases) {
    const res = await app.inject({ method: 'DELETE', url: userPath(PROJECT, SYNCED_CLUSTER), headers, payload })
    t.equal(res.statusCode, 202, name)
  }
  t.same((await show(app)).user_names, ['analyst', 'etl_service'], 'nothing was removed')
})

t.test('takes 1,000 names per array and refuses 1,001 with 12000002', async (t) => {
  const app = await build(t)
  const names = (n: number) => Array.from({ length: n }, (_, i) => `user${i}`)
  let res = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: { user_names: names(1000), group_names: names(1000) } })
  t.equal(res.statusCode, 202)
  res = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: { user_names: names(1001) } })
  t.equal(res.statusCode, 400)
  t.same(res.json(), { error_code: '12000002', error_msg: 'user_names must NOT have more than 1000 items' })
  res = await app.inject({ method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: { group_names: names(1001) } })
  t.same(res.json(), { error_code: '12000002', error_msg: 'group_names must NOT have more than 1000 items' })
})

t.test('a refused request changes nothing', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: userPath(PROJECT, SYNCED_CLUSTER), headers: JSON_HEADERS, payload: { user_names: ['analyst'], extra: true } })
  t.equal(res.statusCode, 400)
  t.same((await show(app)).user_names, ['analyst', 'etl_service'])
})
