import t, { type Test } from 'tap'
import { ApiError } from '../../src/core/errors.js'
import type { ClusterBody, Fixture } from '../../src/core/fixture-schema.js'
import { FixtureError, validateFixture } from '../../src/core/fixtures.js'
import { LIMITS } from '../../src/core/limits.js'
import { WorldStore } from '../../src/core/world-store.js'
import { fakeClock } from '../helpers.js'

const NAMES = LIMITS.worldNames.value
const names = (count: number, prefix = 'n') => Array.from({ length: count }, (_, i) => `${prefix}${i}`)
const cluster = (synced: string[] = [], groups: string[] = []): ClusterBody => ({ state: 'running', synced_users: synced, synced_groups: groups })

/** A world of one project with `users` IAM users (in no group) and one empty running cluster. */
const world = (users: number): Fixture => ({
  projects: [{ project_id: 'p1', iam: { users: names(users, 'u').map((name) => ({ name, groups: [] })), groups: [] }, clusters: [{ cluster_id: 'c1', ...cluster() }] }]
})

function refused (t: Test, fn: () => unknown, status: number, code: string, message: RegExp) {
  try {
    fn()
    t.fail('not refused')
  } catch (err) {
    t.ok(err instanceof ApiError)
    t.match(err, { statusCode: status, code, message })
  }
}

/** What the store holds, counted again from its dump: the running counts must agree. */
const recounted = (store: WorldStore) => new WorldStore(store.dump()).held

t.test('a fixture past the world\'s limits is refused, naming the limit', async (t) => {
  const over = (fixture: unknown, pattern: RegExp) => t.throws(() => validateFixture(fixture, 'f.json'), { name: FixtureError.name, message: pattern })
  over({ projects: Array.from({ length: LIMITS.projects.value + 1 }, (_, i) => ({ project_id: `p${i}`, iam: { users: [], groups: [] }, clusters: [] })) },
    /\/projects: more than 1,000 projects/)
  over({ projects: [{ project_id: 'p', iam: { users: [], groups: [] }, clusters: names(LIMITS.clusters.value + 1, 'c').map((id) => ({ cluster_id: id, ...cluster() })) }] },
    /\/projects: more than 10,000 clusters/)
  over({ projects: [{ project_id: 'p', iam: { users: [], groups: names(NAMES / 2) }, clusters: [{ cluster_id: 'c', ...cluster([], names(NAMES / 2 + 1)) }] }] },
    /\/projects: more than 100,000 names \(100,001\)/)
  over({ projects: [{ project_id: 'p', iam: { users: [{ name: 'x'.repeat(65), groups: [] }], groups: [] }, clusters: [] }] }, /users\/0\/name/)
  over({ projects: [], credentials: Array.from({ length: LIMITS.credentials.value + 1 }, (_, i) => ({ token: `t${i}` })) }, /\/credentials: /)
  over({ projects: [], credentials: [{ token: 't'.repeat(LIMITS.credentialLength.value + 1) }] }, /\/credentials\/0/)
  t.ok(validateFixture({ projects: [], credentials: Array.from({ length: LIMITS.credentials.value }, (_, i) => ({ token: `t${i}` })) }, 'f.json'), 'as many credentials as a state file keeps: taken')
  t.ok(validateFixture({ projects: [{ project_id: 'p', iam: { users: [], groups: names(NAMES) }, clusters: [] }] }, 'f.json'), 'at the limit: taken')
})

t.test('a cluster put past the world\'s limits is refused, and changes nothing', async (t) => {
  const store = new WorldStore(world(NAMES - 10))
  const version = store.version
  refused(t, () => store.putCluster('p1', 'c2', cluster(names(11))), 409, 'EMULATOR.0409', /more than 100,000 names: the emulator's limit/)
  t.equal(store.putCluster('p1', 'c1', cluster(names(10))), false, 'replacing one counts what it replaces')
  refused(t, () => store.putCluster('p1', 'c1', cluster(names(11))), 409, 'EMULATOR.0409', /100,000 names/)
  t.same(store.held, { names: NAMES, clusters: 1 })
  t.equal(store.version, version + 1)
  t.ok(store.deleteCluster('p1', 'c1'))
  t.same(store.held, { names: NAMES - 10, clusters: 0 })
  t.same(recounted(store), store.held)

  const many = new WorldStore({ projects: [] })
  for (let i = 0; i < LIMITS.clusters.value; i++) many.putCluster(`p${i % LIMITS.projects.value}`, `c${i}`, cluster())
  refused(t, () => many.putCluster('p1', 'one-more', cluster()), 409, 'EMULATOR.0409', /more than 10,000 clusters/)
  many.deleteCluster('p1', 'c1')
  refused(t, () => many.putCluster('p-new', 'c', cluster()), 409, 'EMULATOR.0409', /more than 1,000 projects/)
  t.equal(many.putCluster('p1', 'one-more', cluster()), true, 'room again, in a project that is there')
})

t.test('a sync task that would take the world past its limit is refused with the service\'s 500; names are kept once each', async (t) => {
  const store = new WorldStore(world(NAMES / 2 - 5))
  refused(t, () => store.sync('p1', 'c1', { is_all_sync: true }), 500, '12000004', /^Internal server error\.$/)
  t.same(store.getCluster('p1', 'c1')!.synced_users, [], 'nothing changed')
  t.equal(store.isSynchronizing('p1', 'c1'), false)
  store.sync('p1', 'c1', { user_names: Array.from({ length: 1000 }, () => 'u1') })
  t.same(store.getCluster('p1', 'c1')!.synced_users, ['u1'], 'a user named 1,000 times is synchronized once')
  t.same(store.held, recounted(store))
})

t.test('a cancel keeps only the names it will remove, so its names never grow the world', async (t) => {
  const clock = fakeClock(Date.UTC(2030, 0, 1))
  const store = new WorldStore({ projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'c1', ...cluster(['a', 'b'], ['g']) }] }] }, { now: clock.now, syncDurationMs: 1000 })
  const before = store.held.names
  store.cancel('p1', 'c1', { user_names: ['a', 'a', 'x'.repeat(10_000), ...names(997)], group_names: ['g', 'h'] })
  t.same(store.getCluster('p1', 'c1')!.sync_task, { kind: 'cancel', user_names: ['a'], group_names: ['g'], ends_at: '2030-01-01T00:00:01.000Z' })
  t.equal(store.held.names, before + 2)
  clock.advance(1000)
  t.same(store.getCluster('p1', 'c1'), { state: 'running', synced_users: ['b'], synced_groups: [], is_synchronous: true })
  t.same(store.held, { names: 1, clusters: 1 })
  t.same(recounted(store), store.held)
})

t.test('a project reset that would not fit beside what the others hold is refused', async (t) => {
  const fixture = world(10)
  const store = new WorldStore(fixture)
  store.putCluster('p2', 'c', cluster(names(NAMES - 10)))
  store.deleteCluster('p1', 'c1')
  store.resetProject('p1', fixture)
  t.same(store.held, { names: NAMES, clusters: 2 }, 'what it held fits again')
  const full = new WorldStore({ projects: [] })
  for (let i = 0; i < LIMITS.projects.value; i++) full.putCluster(`q${i}`, 'c', cluster())
  refused(t, () => full.resetProject('p1', fixture), 409, 'EMULATOR.0409', /1,000 projects/)
  const crowded = new WorldStore({ projects: [] })
  for (let i = 0; i < LIMITS.clusters.value; i++) crowded.putCluster('q', `c${i}`, cluster())
  refused(t, () => crowded.resetProject('p1', fixture), 409, 'EMULATOR.0409', /10,000 clusters/)
  const named = new WorldStore({ projects: [] })
  named.putCluster('q', 'c', cluster(names(NAMES - 9)))
  refused(t, () => named.resetProject('p1', fixture), 409, 'EMULATOR.0409', /100,000 names/)
  t.same(named.held, { names: NAMES - 9, clusters: 1 }, 'nothing changed')
})
