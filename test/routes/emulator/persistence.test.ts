import * as fs from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../src/app.js'
import type { StateFs } from '../../../src/core/state-file.js'
import { build, CLUSTER, fakeClock, JSON_HEADERS, PROJECT, readJson, stateFilePath, syncPath, TOKEN, tempDir, userPath } from '../../helpers.js'

const tempFile = (t: Test) => stateFilePath(t, 'mrs-persist-')
const onDisk = readJson

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
  await t.rejects(buildApp({ stateFile: file }), { name: 'FixtureError', message: `${file}: /projects/0/project_id: must be letters and digits only` })
  t.equal(await readFile(file, 'utf8'), broken)
})

/** The real file system, whose writes fail with ENOSPC while `full` is set. */
function disk () {
  const control = { full: false, fs: undefined as unknown as StateFs }
  control.fs = {
    ...fs,
    writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
      if (control.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      return (fs.writeSync as (...a: unknown[]) => number)(...args)
    }) as StateFs['writeSync']
  }
  return control
}

async function brokenDisk (t: Test) {
  const dir = await tempDir(t, 'mrs-persist-')
  const file = join(dir, 'state.json')
  const d = disk()
  const logs: Array<Record<string, unknown>> = []
  const app = await build(t, { stateFile: file, fs: d.fs, logger: { level: 'error', stream: { write: (line: string) => logs.push(JSON.parse(line)) } } })
  const before = await readFile(file, 'utf8')
  d.full = true
  return { app, file, dir, disk: d, logs, before }
}

const shown = async (app: FastifyInstance) => (await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json()

t.test('a change that cannot be written is not kept: 500 12000004, the world as clients were last told, one log line', async (t) => {
  const { app, file, dir, disk, logs, before } = await brokenDisk(t)
  const res = await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error_code: '12000004', error_msg: 'Internal server error.' })
  t.ok(res.headers['x-request-id'])
  t.same((await shown(app)).user_names, [], 'the users were not added')
  t.equal((await app.inject({ method: 'GET', url: '/v2/' + PROJECT + '/clusters/' + CLUSTER + '/iam-sync/is-synchronous', headers: TOKEN })).json().is_synchronous, false)
  t.equal(await readFile(file, 'utf8'), before, 'the file unchanged')
  t.same(await readdir(dir), ['state.json'], 'no temporary file left')
  t.equal(logs.length, 1)
  t.match(logs[0], { level: 50, msg: 'the state file could not be written: the changes waiting for it were not kept', file, err: { message: `cannot write the state file ${file}: ENOSPC (no space left on the device)` } })
  const entry = (await app.inject({ method: 'GET', url: '/_emulator/requests' })).json().requests.find((e: { method: string }) => e.method === 'POST')
  t.match(entry, { method: 'POST', status: 500, error_code: '12000004' }, 'journaled as answered')

  disk.full = false
  t.equal((await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })).statusCode, 202, 'works again once the disk does')
  t.same((await shown(app)).user_names, ['user1'])
  t.same((await onDisk(file)).projects[0].clusters[0].synced_users, ['user1'])
})

t.test('the control plane: 500 EMULATOR.0500 naming the file and its problem; a reset or an upload that fails changed nothing', async (t) => {
  const { app, file } = await brokenDisk(t)
  const put = await app.inject({ method: 'PUT', url: '/_emulator/projects/p9/clusters/c9', payload: { state: 'running', synced_users: [], synced_groups: [] } })
  t.equal(put.statusCode, 500)
  t.same(put.json(), { error_code: 'EMULATOR.0500', error_msg: `The change was not kept: cannot write the state file ${file}: ENOSPC (no space left on the device).` })
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/projects/p9/clusters/c9' })).statusCode, 404)
  const state = (await app.inject({ method: 'GET', url: '/_emulator/state' })).json()

  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/projects/${PROJECT}/clusters/${CLUSTER}` })).statusCode, 500)
  await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { action: { delay_ms: 1 } } })).statusCode, 201, 'fault rules are not in the state file')
  const faults = (await app.inject({ method: 'GET', url: '/_emulator/faults' })).json()
  const journaled = (await app.inject({ method: 'GET', url: '/_emulator/requests' })).json().requests.length
  t.ok(journaled > 0)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset' })).statusCode, 500)
  t.equal((await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { projects: [], faults: [] } })).statusCode, 500)
  t.same((await app.inject({ method: 'GET', url: '/_emulator/state' })).json(), state, 'nothing changed: the world,')
  t.same((await app.inject({ method: 'GET', url: '/_emulator/faults' })).json(), faults, 'the fault rules')
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/requests' })).json().requests.length, journaled, 'and the journal')
})

t.test('changes grouped into one write fail together, and so does an answer that saw them', async (t) => {
  const { app } = await brokenDisk(t)
  const [sync, put] = await Promise.all([
    app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } }),
    app.inject({ method: 'PUT', url: '/_emulator/projects/p9/clusters/c9', payload: { state: 'running', synced_users: [], synced_groups: [] } })
  ])
  t.same([sync.statusCode, put.statusCode], [500, 500])
  t.same((await shown(app)).user_names, [])
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/projects/p9/clusters/c9' })).statusCode, 404)

  // A read while a change waits for its write could show that change: it waits, and fails with it.
  app.emulator.store.putCluster(PROJECT, CLUSTER, { state: 'running', synced_users: ['seen'], synced_groups: [] })
  const read = await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.equal(read.statusCode, 500)
  t.same((await shown(app)).user_names, [], 'the change was not kept')
})

t.test('an answer that waited for a failed write is the 500, whatever it was going to be', async (t) => {
  const { app, file } = await brokenDisk(t)
  const pending = () => app.emulator.store.putCluster('p8', 'c8', { state: 'running', synced_users: [], synced_groups: [] })
  pending()
  const refused = await app.inject({ method: 'POST', url: userPath(PROJECT, 'no-such-cluster'), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })
  t.equal(refused.statusCode, 500, 'not the 400 it would have been')
  t.same(refused.json(), { error_code: '12000004', error_msg: 'Internal server error.' })
  t.equal(refused.headers['content-length'], String(refused.body.length))
  const entry = (await app.inject({ method: 'GET', url: '/_emulator/requests?cluster_id=no-such-cluster' })).json().requests[0]
  t.match(entry, { status: 500, error_code: '12000004', response: { body: { error_code: '12000004' } } }, 'journaled as sent')

  pending()
  const invalid = await app.inject({ method: 'PUT', url: '/_emulator/projects/p9/clusters/c9', payload: { state: 'bogus' } })
  t.equal(invalid.statusCode, 500)
  t.same(invalid.json(), { error_code: 'EMULATOR.0500', error_msg: `The change was not kept: cannot write the state file ${file}: ENOSPC (no space left on the device).` })
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/projects/p8/clusters/c8' })).statusCode, 404, 'the change was not kept')
})

t.test('a task that ends is not a change to write: reads answer on a full disk', async (t) => {
  const clock = fakeClock()
  const dir = await tempDir(t, 'mrs-persist-')
  const d = disk()
  const app = await build(t, { stateFile: join(dir, 'state.json'), fs: d.fs, now: clock.now, syncDurationMs: 1000 })
  t.equal((await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })).statusCode, 202)
  d.full = true
  clock.advance(1000)
  const shownNow = await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.equal(shownNow.statusCode, 200)
  t.same(shownNow.json().user_names, ['user1'], 'the task has finished')
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/state' })).statusCode, 200)
  const saved = await onDisk(join(dir, 'state.json'))
  t.equal(saved.projects[0].clusters[0].sync_task.kind, 'sync', 'the file still holds the task, which finishes the same way once loaded')
  d.full = false
  const restarted = await build(t, { stateFile: join(dir, 'state.json'), now: clock.now })
  t.same((await restarted.inject({ method: 'GET', url: userPath(), headers: TOKEN })).json().user_names, ['user1'])
})

t.test('a write that fails at close is logged, and the close completes', async (t) => {
  const { app, logs, file, before } = await brokenDisk(t)
  app.emulator.store.completeAll() // a change no request waits for
  app.emulator.store.putCluster('p9', 'c9', { state: 'running', synced_users: [], synced_groups: [] })
  await app.close()
  t.match(logs, [{ level: 50, msg: 'the state file could not be written at close', file }])
  t.equal(await readFile(file, 'utf8'), before)
})

t.test('closing with nothing pending writes nothing', async (t) => {
  let writes = 0
  const counting: StateFs = { ...fs, openSync: ((...args: Parameters<typeof fs.openSync>) => { writes++; return fs.openSync(...args) }) as StateFs['openSync'] }
  const app = await buildApp({ stateFile: await tempFile(t), fs: counting })
  const atStart = writes
  t.ok(atStart > 0, 'written at start')
  await app.close()
  t.equal(writes, atStart)
})

t.test('names are plain data in the journal and the state file', async (t) => {
  const file = await tempFile(t)
  const names = ['__proto__', 'constructor', 'toString', '', 'x'.repeat(64), '名前']
  const app = await build(t, { stateFile: file })
  await app.inject({ method: 'PUT', url: '/_emulator/projects/p1/clusters/c1', payload: { state: 'running', synced_users: names, synced_groups: names } })
  await app.inject({ method: 'DELETE', url: '/v2/p1/clusters/c1/iam-sync-user', headers: JSON_HEADERS, payload: { user_names: ['__proto__', '名前'] } })
  const saved = await onDisk(file)
  t.same(saved.projects[2].clusters[0].synced_users, ['constructor', 'toString', '', 'x'.repeat(64)])
  t.same(saved.projects[2].clusters[0].synced_groups, names)
  const [entry] = (await app.inject({ method: 'GET', url: '/_emulator/requests' })).json().requests
  t.same(entry.body, { user_names: ['__proto__', '名前'] })
  const restarted = await build(t, { stateFile: file })
  t.same((await restarted.inject({ method: 'GET', url: '/v2/p1/clusters/c1/iam-sync-user', headers: TOKEN })).json().user_names, ['constructor', 'toString', '', 'x'.repeat(64)])
  t.equal(({} as Record<string, unknown>).toString, Object.prototype.toString)
})

t.test('a clock move whose tasks could not be written is not kept: the clock goes back with the world', async (t) => {
  const dir = await tempDir(t, 'mrs-persist-')
  const d = disk()
  const app = await build(t, { stateFile: join(dir, 'state.json'), fs: d.fs, syncDurationMs: 60_000 })
  t.equal((await app.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })).statusCode, 202)
  d.full = true
  const moved = await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: 60_000 } })
  t.equal(moved.statusCode, 500)
  t.match(moved.json(), { error_code: 'EMULATOR.0500', error_msg: /not kept/ })
  t.equal((await app.inject({ url: '/_emulator/clock' })).json().offset_ms, 0, 'the clock is where it was')
  t.equal((await app.inject({ method: 'GET', url: syncPath(), headers: TOKEN })).json().is_synchronizing, true, 'the task still runs')
  d.full = false
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: 60_000 } })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: syncPath(), headers: TOKEN })).json().is_synchronizing, false, 'once the disk works, the move is kept')
})

t.test('the clock\'s offset is kept with the world: a task started on a moved clock ends on time after a restart', async (t) => {
  const file = await tempFile(t)
  const YEAR = 365 * 24 * 3600 * 1000
  const first = await buildApp({ stateFile: file, syncDurationMs: 60_000 })
  await first.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: YEAR } })
  t.equal((await onDisk(file)).clock_offset_ms, YEAR, 'a clock move is a change to write')
  t.equal((await first.inject({ method: 'POST', url: userPath(), headers: JSON_HEADERS, payload: { user_names: ['user1'] } })).statusCode, 202)
  await first.close()
  const second = await build(t, { stateFile: file, syncDurationMs: 60_000 })
  t.equal((await second.inject({ url: '/_emulator/clock' })).json().offset_ms, YEAR, 'the clock is where it was')
  t.equal((await second.inject({ method: 'GET', url: syncPath(), headers: TOKEN })).json().is_synchronizing, true)
  await second.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: 60_000 } })
  t.equal((await second.inject({ method: 'GET', url: syncPath(), headers: TOKEN })).json().is_synchronizing, false, 'the task ends a minute later, not a year')
  t.notOk('clock_offset_ms' in (await second.inject({ url: '/_emulator/state' })).json(), 'GET /_emulator/state shows the world; /_emulator/clock the clock')
  await second.inject({ method: 'POST', url: '/_emulator/reset' })
  t.equal((await second.inject({ url: '/_emulator/clock' })).json().offset_ms, 0, 'reset puts the clock back')
  t.notOk('clock_offset_ms' in await onDisk(file), 'and the state file says so')
})

t.test('a fixture or an uploaded world may set the clock ahead; reset goes back to the fixture\'s', async (t) => {
  const fixture = { projects: [], clock_offset_ms: 5000 }
  const app = await build(t, { fixtures: fixture })
  t.equal((await app.inject({ url: '/_emulator/clock' })).json().offset_ms, 5000)
  t.equal((await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { projects: [], clock_offset_ms: 9000 } })).statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/clock' })).json().offset_ms, 9000)
  await app.inject({ method: 'POST', url: '/_emulator/reset' })
  t.equal((await app.inject({ url: '/_emulator/clock' })).json().offset_ms, 5000)
})
