import t, { type Test } from 'tap'
import { ApiError } from '../../src/core/errors.js'
import { WorldStore, type SyncedNames } from '../../src/core/world-store.js'
import type { Fixture } from '../../src/core/fixture-schema.js'
import { fakeClock } from '../helpers.js'

const P = 'p1'
const fixture = (): Fixture => ({
  projects: [{
    project_id: P,
    iam: {
      users: [{ name: 'u1', groups: ['g1'] }, { name: 'u2', groups: [] }, { name: 'u3', groups: ['g1', 'g2'] }],
      groups: ['g1', 'g2', 'g3']
    },
    clusters: [
      { cluster_id: 'c1', state: 'running', synced_users: [], synced_groups: [] },
      { cluster_id: 'c2', state: 'running', synced_users: ['u1', 'u2'], synced_groups: ['g1'], is_synchronous: true },
      { cluster_id: 'down', state: 'stopped', synced_users: [], synced_groups: [] },
      { cluster_id: 'sick', state: 'abnormal', synced_users: [], synced_groups: [] }
    ]
  }]
})

const store = (options = {}) => new WorldStore(fixture(), options)
/** What ShowSyncIamUser answers for the cluster, parsed. */
const shown = (s: WorldStore, project: string, cluster: string) => JSON.parse(s.showJson(project, cluster).toString()) as SyncedNames

function throwsCode (t: Test, fn: () => unknown, status: number, code: string, message?: RegExp) {
  try {
    fn()
    t.fail(`expected ${code}`)
  } catch (err) {
    t.ok(err instanceof ApiError)
    t.match(err, { statusCode: status, code }, code)
    if (message !== undefined) t.match((err as Error).message, message)
  }
}

t.test('sync adds the named users, the groups they belong to, and the named groups', async (t) => {
  const s = store()
  s.sync(P, 'c1', { user_names: ['u1', 'u2'], group_names: ['g3'] })
  t.same(shown(s, P, 'c1'), { user_names: ['u1', 'u2'], group_names: ['g1', 'g3'] })
  t.equal(s.isSynchronous(P, 'c1'), true)
  t.equal(s.isSynchronizing(P, 'c1'), false)
})

t.test('is_all_sync adds the whole directory and ignores the names', async (t) => {
  const s = store()
  s.sync(P, 'c1', { is_all_sync: true, user_names: ['nobody'] })
  t.same(shown(s, P, 'c1'), { user_names: ['u1', 'u2', 'u3'], group_names: ['g1', 'g2', 'g3'] })
})

t.test('sync with nothing named is a no-op task that still completes', async (t) => {
  const s = store()
  s.sync(P, 'c1', {})
  t.same(shown(s, P, 'c1'), { user_names: [], group_names: [] })
  t.equal(s.isSynchronous(P, 'c1'), true)
})

t.test('cancel removes exactly the named users and groups, and ignores unknown names', async (t) => {
  const s = store()
  s.cancel(P, 'c2', { user_names: ['u1', 'never-synced'], group_names: ['nope'] })
  t.same(shown(s, P, 'c2'), { user_names: ['u2'], group_names: ['g1'] }, "u1's group stays")
  s.cancel(P, 'c2', { user_names: ['u1'] })
  t.same(shown(s, P, 'c2'), { user_names: ['u2'], group_names: ['g1'] }, 'idempotent')
  s.cancel(P, 'c2', {})
  t.same(shown(s, P, 'c2'), { user_names: ['u2'], group_names: ['g1'] }, 'no names: no-op')
})

t.test('a sync names a user or group that is not in the directory: nothing changes', async (t) => {
  const s = store()
  throwsCode(t, () => s.sync(P, 'c1', { user_names: ['u1', 'ghost'] }), 500, '12000157', /ghost/)
  throwsCode(t, () => s.sync(P, 'c1', { group_names: ['g1', 'ghost-group'] }), 500, '12000156', /ghost-group/)
  t.same(shown(s, P, 'c1'), { user_names: [], group_names: [] })
  t.equal(s.isSynchronizing(P, 'c1'), false)
})

t.test('unknown project or cluster: 12000003', async (t) => {
  const s = store()
  throwsCode(t, () => shown(s, 'nope', 'c1'), 400, '12000003', /^The cluster does not exist\.$/)
  throwsCode(t, () => s.cancel(P, 'nope', {}), 400, '12000003')
  throwsCode(t, () => s.isSynchronizing(P, 'nope'), 400, '12000003')
  throwsCode(t, () => s.isSynchronous('nope', 'nope'), 400, '12000003')
})

t.test('sync and cancel need a running or abnormal cluster; reads work in any state', async (t) => {
  const s = store()
  throwsCode(t, () => s.cancel(P, 'down', {}), 400, '12000054', /stopped/)
  throwsCode(t, () => s.sync(P, 'down', {}), 400, '12000054', /stopped/)
  t.same(shown(s, P, 'down'), { user_names: [], group_names: [] })
  t.equal(s.isSynchronizing(P, 'down'), false)
  s.sync(P, 'sick', { user_names: ['u2'] })
  t.same(shown(s, P, 'sick').user_names, ['u2'])
})

t.test('a task runs for the sync duration on the injected clock', async (t) => {
  const clock = fakeClock()
  const s = store({ now: clock.now, syncDurationMs: 5000 })
  s.sync(P, 'c1', { user_names: ['u1'] })
  t.equal(s.isSynchronizing(P, 'c1'), true)
  t.equal(s.isSynchronous(P, 'c1'), false)
  t.same(shown(s, P, 'c1'), { user_names: [], group_names: [] }, 'not applied yet')
  throwsCode(t, () => s.cancel(P, 'c1', { user_names: ['u1'] }), 500, '12000154', /Cluster ID: c1$/)
  throwsCode(t, () => s.sync(P, 'c1', {}), 500, '12000154')
  clock.advance(4999)
  t.equal(s.isSynchronizing(P, 'c1'), true)
  clock.advance(1)
  t.equal(s.isSynchronizing(P, 'c1'), false)
  t.equal(s.isSynchronous(P, 'c1'), true)
  t.same(shown(s, P, 'c1'), { user_names: ['u1'], group_names: ['g1'] })
  s.cancel(P, 'c1', { group_names: ['g1'] })
  t.equal(s.isSynchronizing(P, 'c1'), true, 'a new task may start once the last one finished')
})

t.test('a task on one cluster does not block another', async (t) => {
  const s = store({ now: fakeClock().now, syncDurationMs: 1000 })
  s.sync(P, 'c1', {})
  s.cancel(P, 'c2', { user_names: ['u1'] })
  t.equal(s.isSynchronizing(P, 'c1'), true)
  t.equal(s.isSynchronizing(P, 'c2'), true)
})

t.test('completeAll finishes every running task now', async (t) => {
  const s = store({ now: fakeClock().now, syncDurationMs: 60_000 })
  s.sync(P, 'c1', { user_names: ['u3'] })
  s.cancel(P, 'c2', { user_names: ['u2'] })
  t.equal(s.completeAll(), 2)
  t.same(shown(s, P, 'c1'), { user_names: ['u3'], group_names: ['g1', 'g2'] })
  t.same(shown(s, P, 'c2'), { user_names: ['u1'], group_names: ['g1'] })
  t.equal(s.completeAll(), 0)
})

t.test('names are plain data, whatever they spell', async (t) => {
  const s = store()
  s.cancel(P, 'c2', { user_names: ['__proto__', 'constructor', 'toString'] })
  t.same(shown(s, P, 'c2').user_names, ['u1', 'u2'])
  throwsCode(t, () => s.sync(P, 'c1', { user_names: ['__proto__'] }), 500, '12000157')
  throwsCode(t, () => shown(s, '__proto__', 'c1'), 400, '12000003')
})

t.test('uses the real clock by default', async (t) => {
  const s = store({ syncDurationMs: 60_000 })
  s.sync(P, 'c1', {})
  t.equal(s.isSynchronizing(P, 'c1'), true)
})

t.test('issued credentials are bounded: past one bound the expired go, past the other the oldest', async (t) => {
  const clock = fakeClock(Date.parse('2030-01-01T00:00:00Z'))
  const s = new WorldStore({ ...fixture(), credentials: [{ token: 'declared', project_id: P }] }, { now: clock.now })
  const issued = (token: string, expiresAt: string) => ({ token, issued_at: '2030-01-01T00:00:00Z', expires_at: expiresAt })
  const tokens = () => s.credentials.map((c) => ('token' in c ? c.token : c.access_key))
  const bounds = { expired: 2, max: 3 }
  const version = s.version
  s.issue(issued('gone', '2029-12-31T00:00:00Z'), bounds)
  s.issue(issued('a', '2030-01-02T00:00:00Z'), bounds)
  t.equal(s.version, version + 2, 'each is a change to write')
  t.same(tokens(), ['declared', 'gone', 'a'], 'an expired one stays while there are few')
  s.issue(issued('b', '2030-01-02T00:00:00Z'), bounds)
  t.same(tokens(), ['declared', 'a', 'b'], 'past the first bound, the expired go')
  s.issue(issued('c', '2030-01-02T00:00:00Z'), bounds)
  t.same(tokens(), ['declared', 'a', 'b', 'c'])
  s.issue(issued('d', '2030-01-02T00:00:00Z'), bounds)
  t.same(tokens(), ['declared', 'b', 'c', 'd'], 'past the second, the oldest; declared credentials are never dropped')
  s.issue({ access_key: 'K', secret_key: 'S', issued_at: '2030-01-01T00:00:00Z' }, bounds)
  t.same(tokens(), ['declared', 'c', 'd', 'K'], 'one without an expiry counts as unexpired')
})

t.test('the world\'s JSON is made once per change, a task settling included', async (t) => {
  const clock = fakeClock(Date.UTC(2030, 0, 1))
  const s = store({ now: clock.now, syncDurationMs: 1000 })
  const first = s.dumpJson()
  t.equal(s.dumpJson(), first, 'the same bytes, not made again')
  t.same(JSON.parse(first.toString()), s.dump())
  s.sync(P, 'c1', { user_names: ['u2'] })
  const running = s.dumpJson()
  t.not(running, first)
  t.equal(s.dumpJson(), running)
  clock.advance(1000)
  const settled = JSON.parse(s.dumpJson().toString()) as Fixture
  t.same(settled.projects[0]!.clusters[0]!.synced_users, ['u2'], 'made again once the task has finished')
})
