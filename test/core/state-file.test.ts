import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import type { Fixture } from '../../src/core/fixture-schema.js'
import { readStateFile, StateFile } from '../../src/core/state-file.js'
import { tempDir } from '../helpers.js'

const world = (n: number): Fixture => ({ projects: [{ project_id: `p${n}`, iam: { users: [], groups: [] }, clusters: [] }] })

t.test('readStateFile: absent → undefined; broken → a FixtureError naming the file', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  t.equal(await readStateFile(join(dir, 'absent.json')), undefined)
  await writeFile(join(dir, 'torn.json'), '{"projects": [')
  await t.rejects(readStateFile(join(dir, 'torn.json')), { name: 'FixtureError', message: /torn\.json: \/: invalid JSON/ })
  await t.rejects(readStateFile(dir), { name: 'FixtureError', message: /cannot read the state file: EISDIR/ })
  await writeFile(join(dir, 'ok.json'), JSON.stringify(world(1)))
  t.same(await readStateFile(join(dir, 'ok.json')), world(1))
})

t.test('save writes the whole world by temp file and rename, leaving no temp file', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const file = join(dir, 'state.json')
  const source = { version: 0, dump: () => world(source.version) }
  const state = new StateFile(file, source)
  t.equal(state.file, file)
  t.equal(state.dirty, false)
  source.version = 1
  t.equal(state.dirty, true)
  await state.save()
  t.equal(state.dirty, false)
  t.same(JSON.parse(await readFile(file, 'utf8')), world(1))
  t.same(await readdir(dir), ['state.json'])
})

t.test('a save with nothing new writes nothing, unless forced', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  let dumps = 0
  const source = { version: 0, dump: () => { dumps++; return world(source.version) } }
  const state = new StateFile(join(dir, 'state.json'), source)
  await state.save()
  t.equal(dumps, 0)
  t.same(await readdir(dir), [])
  await state.save(true)
  t.equal(dumps, 1)
  source.version = 2
  const first = state.save()
  source.version = 3
  const second = state.save()
  t.equal(first, second, 'saves in the same turn share one write')
  await first
  t.equal(dumps, 2)
  t.same(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')), world(3), 'with the last change')
})

t.test('a failed write rejects, and the next save tries again', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const source = { version: 1, dump: () => world(1) }
  const state = new StateFile(join(dir, 'missing', 'state.json'), source)
  source.version = 2
  await t.rejects(state.save(), { code: 'ENOENT' })
  await t.rejects(state.save(), { code: 'ENOENT' }, 'still dirty: tried again')
  t.equal(state.dirty, true)
})
