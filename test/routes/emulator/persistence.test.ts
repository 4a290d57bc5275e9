import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../../../src/app.js'
import { build, JSON_HEADERS, TOKEN, tempDir, userPath } from '../../helpers.js'

const tempFile = async (t: Test) => join(await tempDir(t, 'mrs-persist-'), 'state.json')
const onDisk = async (file: string) => JSON.parse(await readFile(file, 'utf8'))

t.test('the state file is written at start, and after each change before its response', async (t) => {
  const file = await tempFile(t)
  const app = await build(t, { stateFile: file })
  t.equal((await onDisk(file)).projects[0].clusters[0].synced_users.length, 0, 'the fixtures, written at once')
  await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })
  t.same((await onDisk(file)).projects[0].clusters[0].synced_users, ['user1'])
  await app.inject({ method: 'PUT', url: '/_emulator/projects/p9/clusters/c9', payload: { state: 'running', synced_users: [], synced_groups: [] } })
  t.equal((await onDisk(file)).projects[2].project_id, 'p9')
})

t.test('requests that change nothing never write', async (t) => {
  const app = await build(t, { stateFile: await tempFile(t) })
  let saves = 0
  const stateFile = app.emulator.stateFile!
  const save = stateFile.save.bind(stateFile)
  stateFile.save = () => { saves++; return save() }
  await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  await app.inject({ method: 'GET', url: '/_emulator/state' })
  await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['ghost'] } })
  await app.inject({ method: 'DELETE', url: userPath() })
  await app.inject({ method: 'GET', url: '/nowhere' })
  t.equal(saves, 0)
  await app.inject({ method: 'DELETE', url: userPath(), headers: TOKEN })
  t.equal(saves, 1)
})

t.test('a restart loads the state file, not the fixtures; reset still goes back to the fixtures', async (t) => {
  const file = await tempFile(t)
  const first = await buildApp({ stateFile: file })
  await first.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { is_all_sync: true } })
  await first.close()
  const second = await build(t, { stateFile: file })
  t.equal((await second.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json().user_names.length, 4)
  await second.inject({ method: 'POST', url: '/_emulator/reset' })
  t.same((await second.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json().user_names, [])
  t.same((await onDisk(file)).projects[0].clusters[0].synced_users, [], 'the reset is written too')
})

t.test('an unreadable or invalid state file stops the start and is never overwritten', async (t) => {
  const file = await tempFile(t)
  const broken = '{"projects": [{"project_id": "bad id", "iam": {"users": [], "groups": []}, "clusters": []}]}'
  await writeFile(file, broken)
  await t.rejects(buildApp({ stateFile: file }), { name: 'FixtureError', message: `${file}: /projects/0/project_id: Expected string to match '^[A-Za-z0-9]+$'` })
  t.equal(await readFile(file, 'utf8'), broken)
})

t.test('a failed write answers 500 12000004, and closing writes what is pending', async (t) => {
  const dir = await tempDir(t, 'mrs-persist-')
  const file = join(dir, 'state.json')
  const app = await buildApp({ stateFile: file })
  const real = app.emulator.stateFile!.save.bind(app.emulator.stateFile!)
  app.emulator.stateFile!.save = () => Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' }))
  const res = await app.inject({ method: 'DELETE', url: userPath(), headers: TOKEN })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error_code: '12000004', error_msg: 'Internal server error.' })
  app.emulator.stateFile!.save = real
  t.equal(app.emulator.stateFile!.dirty, true)
  await app.close()
  t.equal((await onDisk(file)).projects[0].clusters[0].is_synchronous, true, 'flushed on close')
})

t.test('closing with nothing pending writes nothing', async (t) => {
  const app = await buildApp({ stateFile: await tempFile(t) })
  let saves = 0
  app.emulator.stateFile!.save = async () => { saves++ }
  await app.close()
  t.equal(saves, 0)
})

t.test('names are plain data in the journal and the state file', async (t) => {
  const file = await tempFile(t)
  const names = ['__proto__', 'constructor', 'toString', '', 'x'.repeat(10_000), '名前']
  const app = await build(t, { stateFile: file })
  await app.inject({ method: 'PUT', url: '/_emulator/projects/p1/clusters/c1', payload: { state: 'running', synced_users: names, synced_groups: names } })
  await app.inject({ method: 'DELETE', url: '/v2/p1/clusters/c1/iam-sync-user', headers: JSON_HEADERS, payload: { user_names: ['__proto__', '名前'] } })
  const saved = await onDisk(file)
  t.same(saved.projects[2].clusters[0].synced_users, ['constructor', 'toString', '', 'x'.repeat(10_000)])
  t.same(saved.projects[2].clusters[0].synced_groups, names)
  const [entry] = (await app.inject({ method: 'GET', url: '/_emulator/requests' })).json().requests
  t.same(entry.body, { user_names: ['__proto__', '名前'] })
  const restarted = await build(t, { stateFile: file })
  t.same((await restarted.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync-user', headers: TOKEN })).json().user_names, ['constructor', 'toString', '', 'x'.repeat(10_000)])
  t.equal(({} as Record<string, unknown>).toString, Object.prototype.toString)
})
