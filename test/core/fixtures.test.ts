import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { FixtureError, loadFixtureFile, parseFixture, validateFixture } from '../../src/core/fixtures.js'
import { DEFAULT_FIXTURES } from '../../src/package-info.js'
import { CLUSTER, OTHER_PROJECT, PROJECT, tempDir } from '../helpers.js'

const project = (overrides = {}) => ({
  project_id: 'p1',
  iam: { users: [{ name: 'u1', groups: ['g1'] }], groups: ['g1'] },
  clusters: [{ cluster_id: 'c1', state: 'running', synced_users: [], synced_groups: [] }],
  ...overrides
})

t.test('the bundled fixtures make the documentation example work as is', async (t) => {
  const fixture = await loadFixtureFile(DEFAULT_FIXTURES)
  const docProject = fixture.projects.find((p) => p.project_id === PROJECT)!
  t.same(docProject.clusters.find((c) => c.cluster_id === CLUSTER),
    { cluster_id: CLUSTER, state: 'running', synced_users: [], synced_groups: [], is_synchronous: false })
  t.same(docProject.iam.groups.includes('groups1'), true)
  t.same(docProject.iam.users.filter((u) => ['user1', 'user2'].includes(u.name)).length, 2)
  t.ok(fixture.projects.find((p) => p.project_id === OTHER_PROJECT)!.clusters.some((c) => c.cluster_id === CLUSTER),
    'another project uses the same cluster id')
})

t.test('a broken fixture names the file, the JSON path and the reason', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['missing field', { projects: [{ project_id: 'p1' }] }, 'src: /projects/0/iam: Expected required property'],
    ['bad project id', { projects: [project({ project_id: 'p-1' })] }, 'src: /projects/0/project_id: Expected string to match'],
    ['bad state', { projects: [project({ clusters: [{ cluster_id: 'c1', state: 'sleeping', synced_users: [], synced_groups: [] }] })] }, 'src: /projects/0/clusters/0/state:'],
    ['unknown field', { projects: [], extra: 1 }, 'src: /extra: Unexpected property'],
    ['not an object', [], 'src: /: Expected object'],
    ['duplicate project', { projects: [project(), project()] }, "src: /projects/1/project_id: duplicate project_id 'p1'"],
    ['duplicate cluster', { projects: [project({ clusters: [project().clusters[0], project().clusters[0]] })] }, "src: /projects/0/clusters/1/cluster_id: duplicate cluster_id 'c1'"],
    ['duplicate user', { projects: [project({ iam: { users: [{ name: 'u', groups: [] }, { name: 'u', groups: [] }], groups: [] } })] }, "src: /projects/0/iam/users/1/name: duplicate user name 'u'"],
    ['unknown group', { projects: [project({ iam: { users: [{ name: 'u', groups: ['g1', 'nope'] }], groups: ['g1'] } })] }, "src: /projects/0/iam/users/0/groups/1: group 'nope' is not listed in iam.groups"]
  ]
  for (const [name, value, message] of cases) {
    t.throws(() => validateFixture(value, 'src'), { name: 'FixtureError', message: new RegExp('^' + message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }, name)
  }
})

t.test('two projects may use the same cluster id', async (t) => {
  t.doesNotThrow(() => validateFixture({ projects: [project(), project({ project_id: 'p2' })] }, 'src'))
})

t.test('credentials: AK/SK pairs, temporary keys and tokens, each bound to a project', async (t) => {
  t.doesNotThrow(() => validateFixture({
    projects: [],
    credentials: [
      { access_key: 'AK', secret_key: 'SK', project_id: 'p1' },
      { access_key: 'AK2', secret_key: 'SK', security_token: 'tok', project_id: 'p1' },
      { token: 'T', project_id: 'p1' }
    ]
  }, 'src'))
  t.throws(() => validateFixture({ projects: [], credentials: [{ token: 'T' }] }, 'src'), FixtureError)
})

t.test('invalid JSON and unreadable files are reported with the file name', async (t) => {
  t.throws(() => parseFixture('{"projects": [', 'broken.json'), { message: /^broken\.json: \/: invalid JSON: / })
  const dir = await tempDir(t, 'mrs-fixtures-')
  await t.rejects(loadFixtureFile(join(dir, 'absent.json')), { message: `${join(dir, 'absent.json')}: /: cannot read the file: ENOENT` })
  await t.rejects(loadFixtureFile(dir), { message: /cannot read the file: EISDIR/ })
  const file = join(dir, 'ok.json')
  await writeFile(file, JSON.stringify({ projects: [project()] }))
  t.equal((await loadFixtureFile(file)).projects[0]!.project_id, 'p1')
})
