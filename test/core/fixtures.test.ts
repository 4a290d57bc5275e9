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
    ['missing fields', { projects: [{ project_id: 'p1' }] }, 'src: /projects/0/iam: is required; /projects/0/clusters: is required'],
    ['bad project id', { projects: [project({ project_id: 'p-1' })] }, 'src: /projects/0/project_id: must be letters and digits only'],
    ['bad state', { projects: [project({ clusters: [{ cluster_id: 'c1', state: 'runing', synced_users: [], synced_groups: [] }] })] },
      'src: /projects/0/clusters/0/state: must be one of starting, running, terminated, failed, abnormal, terminating, frozen, scaling-out, scaling-in, stopped'],
    ['unknown field', { projects: [], extra: 1 }, 'src: /extra: unknown field; the allowed ones are domain, projects, credentials, clock_offset_ms, faults'],
    ['not an object', [], 'src: /: must be an object'],
    ['a credential of neither kind', { projects: [], credentials: [{ key: 'x' }] }, 'src: /credentials/0: must be one of {access_key, secret_key, security_token?, project_id?, expires_at?, issued_at?, unverified?}, {token, project_id?, user?, expires_at?, issued_at?, unverified?}'],
    ['a credential missing a field', { projects: [], credentials: [{ access_key: 'A' }] }, 'src: /credentials/0/secret_key: is required'],
    ['an expiry that is no date', { projects: [], credentials: [{ token: 'T', expires_at: 'tomorrow' }] }, 'src: /credentials/0/expires_at: must be a UTC time such as 2026-01-01T00:00:00Z'],
    ['an expiry that is no real date', { projects: [], credentials: [{ token: 'T', expires_at: '2026-13-45T00:00:00Z' }] }, "src: /credentials/0/expires_at: not a real date: '2026-13-45T00:00:00Z'"],
    ['a domain without a name', { domain: { id: 'd1' }, projects: [] }, 'src: /domain/name: is required'],
    ['two projects of one name', { projects: [project({ name: 'cn-north-4' }), project({ project_id: 'p2', name: 'cn-north-4' })] }, "src: /projects/1/name: duplicate project name 'cn-north-4'"],
    ['a project named after another\'s id', { projects: [project(), project({ project_id: 'p2', name: 'p1' })] }, "src: /projects/1/name: duplicate project name 'p1'"],
    ['a fault action with a stray field', { projects: [], faults: [{ action: { status: 500, error_code: 'X', error_msg: 'm', stray: 1 } }] },
      'src: /faults/0/action/stray: unknown field; the allowed ones are status, error_code, error_msg'],
    ['a fault rule naming an unknown operation', { projects: [], faults: [{ match: { operation: 'CancelSyncIamUsr' }, action: { drop: true } }] },
      'src: /faults/0/match/operation: must be one of CancelSyncIamUser, UpdateSyncIamUser, ShowSyncIamUser, ListSyncStatus, ListSyncRequirements, ' +
        'KeystoneListProjects, KeystoneListAuthProjects, KeystoneListAuthDomains, KeystoneListRegions, KeystoneCreateProject, KeystoneCreateUserTokenByPassword, CreateTemporaryAccessKeyByToken'],
    ['a number below its minimum', { projects: [], faults: [{ action: { delay_ms: -1 } }] }, 'src: /faults/0/action/delay_ms: must be >= 0'],
    ['duplicate project', { projects: [project(), project()] }, "src: /projects/1/project_id: duplicate project_id 'p1'"],
    ['duplicate cluster', { projects: [project({ clusters: [project().clusters[0], project().clusters[0]] })] }, "src: /projects/0/clusters/1/cluster_id: duplicate cluster_id 'c1'"],
    ['duplicate user', { projects: [project({ iam: { users: [{ name: 'u', groups: [] }, { name: 'u', groups: [] }], groups: [] } })] }, "src: /projects/0/iam/users/1/name: duplicate user name 'u'"],
    ['unknown group', { projects: [project({ iam: { users: [{ name: 'u', groups: ['g1', 'nope'] }], groups: ['g1'] } })] }, "src: /projects/0/iam/users/0/groups/1: group 'nope' is not listed in iam.groups"]
  ]
  for (const [name, value, message] of cases) {
    t.throws(() => validateFixture(value, 'src'), { name: 'FixtureError', message }, name)
  }
})

t.test('every problem is listed with its JSON path, up to 10, and the rest counted', async (t) => {
  const clusters = Array.from({ length: 12 }, (_, i) => ({ cluster_id: `c${i}`, state: 'nope', synced_users: [], synced_groups: [] }))
  const err = t.throws(() => validateFixture({ projects: [project({ clusters })] }, 'src')) as Error
  const listed = err.message.split('; ')
  t.equal(listed.length, 11)
  t.match(listed[0], /^src: \/projects\/0\/clusters\/0\/state: must be one of starting, /)
  t.match(listed[9], /^\/projects\/0\/clusters\/9\/state: must be one of/)
  t.equal(listed[10], 'and 2 more')

  const semantic = t.throws(() => validateFixture({ projects: [project(), project(), project({ iam: { users: [{ name: 'u', groups: ['x'] }], groups: [] } })] }, 'src')) as Error
  t.equal(semantic.message, "src: /projects/1/project_id: duplicate project_id 'p1'; /projects/2/project_id: duplicate project_id 'p1'; /projects/2/iam/users/0/groups/0: group 'x' is not listed in iam.groups")
  const many = Array.from({ length: 12 }, (_, i) => project({ name: `n${i}` }))
  t.match((t.throws(() => validateFixture({ projects: many }, 'src')) as Error).message, /; and 1 more$/)
})

t.test('two projects may use the same cluster id', async (t) => {
  t.doesNotThrow(() => validateFixture({ projects: [project(), project({ project_id: 'p2' })] }, 'src'))
})

t.test('credentials: AK/SK pairs, temporary keys and tokens, each bound to a project or to the domain, with an expiry or none', async (t) => {
  t.doesNotThrow(() => validateFixture({
    domain: { id: 'd1', name: 'acme' },
    projects: [project({ name: 'cn-north-4' })],
    credentials: [
      { access_key: 'AK', secret_key: 'SK', project_id: 'p1' },
      { access_key: 'AK2', secret_key: 'SK', security_token: 'tok', project_id: 'p1', expires_at: '2030-01-01T00:00:00Z' },
      { token: 'T', project_id: 'p1' },
      { token: 'T2', user: 'u', issued_at: '2029-12-31T00:00:00.000Z', expires_at: '2030-01-01T00:00:00Z' }
    ]
  }, 'src'))
  t.throws(() => validateFixture({ projects: [], credentials: [{ token: '' }] }, 'src'), FixtureError)
})

t.test('invalid JSON and unreadable files are reported with the file name', async (t) => {
  t.same(parseFixture('\ufeff{"projects": []}', 'bom.json'), { projects: [] }, 'a byte order mark is not JSON: skipped')
  t.throws(() => parseFixture('{"projects": [', 'broken.json'), { message: 'broken.json: /: invalid JSON at line 1, column 15: unexpected end of the text' })
  t.throws(() => parseFixture('{\n  "projects": [],\n  "faults": [,]\n}', 'syntax.json'), { message: 'syntax.json: /: invalid JSON at line 3, column 14: unexpected ","' })
  const dir = await tempDir(t, 'mrs-fixtures-')
  await t.rejects(loadFixtureFile(join(dir, 'absent.json')), { message: `${join(dir, 'absent.json')}: /: cannot read the file: ENOENT (no such file or folder)` })
  await t.rejects(loadFixtureFile(dir), { message: /cannot read the file: EISDIR/ })
  const file = join(dir, 'ok.json')
  await writeFile(file, JSON.stringify({ projects: [project()] }))
  t.equal((await loadFixtureFile(file)).projects[0]!.project_id, 'p1')
})
