import t from 'tap'
import { build, fakeClock } from '../helpers.js'
import { execFileSync } from 'node:child_process'
import { VERSION } from '../../src/package-info.js'

/** The commit this checkout is at: what the build (npm test's) wrote down. */
const HEAD = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()

t.test('health: 200 with version, commit and uptime, never authenticated', async (t) => {
  const clock = fakeClock()
  const app = await build(t, { now: clock.now })
  clock.advance(61_500)
  const res = await app.inject({ method: 'GET', url: '/_emulator/health' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok', version: VERSION, commit: HEAD, uptime_s: 61 })
})

t.test('ready: 200 once loaded; when not ready, everything but health answers 503 EMULATOR.0503', async (t) => {
  const app = await build(t)
  let res = await app.inject({ method: 'GET', url: '/_emulator/ready' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ready' })
  app.emulator.ready = false
  for (const url of ['/_emulator/ready', '/_emulator/state', '/v2/p/clusters/c/iam-sync']) {
    res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 503, url)
    t.equal(res.headers['retry-after'], '1')
    t.equal(res.headers.connection, 'close')
    t.match(res.headers['x-request-id'], /^[0-9a-f]{32}$/)
    t.same(res.json(), { error_code: 'EMULATOR.0503', error_msg: 'The emulator is not ready: it is starting or shutting down.' })
  }
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/health' })).statusCode, 200)
})

t.test('ready turns false once closing starts', async (t) => {
  const app = await build(t)
  await app.ready()
  t.equal(app.emulator.ready, true)
  await app.close()
  t.equal(app.emulator.ready, false)
})

t.test('the app takes a fixture object as well as a file', async (t) => {
  const app = await build(t, {
    fixtures: { projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'c1', state: 'running', synced_users: ['u'], synced_groups: [] }] }] }
  })
  const res = await app.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync-user', headers: { 'x-auth-token': 't' } })
  t.same(res.json(), { user_names: ['u'], group_names: [] })
})
