import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import * as fs from 'node:fs'
import { createServer } from 'node:net'
import { mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import type { Fixture } from '../../src/core/fixture-schema.js'
import { describeFsError, readStateFile, StateFile, StateFileError, type StateFs } from '../../src/core/state-file.js'
import { readJson, tempDir } from '../helpers.js'

const world = (n: number): Fixture => ({ projects: [{ project_id: `p${n}`, iam: { users: [], groups: [] }, clusters: [] }] })

/** A world that counts its changes and dumps, as the WorldStore does. */
function source (n = 0) {
  const s = {
    version: 0,
    dumps: 0,
    world: world(n),
    change (m: number) { s.world = world(m); s.version++ },
    dump: () => { s.dumps++; return s.world },
    replace: (fixture: Fixture) => { s.world = fixture; s.version++ }
  }
  return s
}

/** The real file system, but `call` fails with `code` while `failures` > 0 (default: always). */
function failing (call: keyof StateFs, code: string, failures = Infinity) {
  const calls: string[] = []
  const control = { fs: undefined as unknown as StateFs, calls, failures }
  const injected = { ...fs } as unknown as Record<string, (...args: unknown[]) => unknown>
  injected[call] = (...args: unknown[]) => {
    calls.push(call)
    if (control.failures-- > 0) throw Object.assign(new Error(`${code}: injected`), { code })
    return (fs as unknown as Record<string, (...args: unknown[]) => unknown>)[call]!(...args)
  }
  control.fs = injected as unknown as StateFs
  return control
}

const onDisk = readJson

t.test('readStateFile: absent → undefined; broken → a FixtureError naming the file', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  t.equal(await readStateFile(join(dir, 'absent.json')), undefined)
  await writeFile(join(dir, 'torn.json'), '{"projects": [')
  await t.rejects(readStateFile(join(dir, 'torn.json')), { name: 'FixtureError', message: /torn\.json/ })
  await writeFile(join(dir, 'ok.json'), JSON.stringify(world(1)))
  t.same(await readStateFile(join(dir, 'ok.json')), world(1))
  await t.rejects(readStateFile(join(dir, 'ok.json', 'below')), { name: 'FixtureError', message: /cannot read the state file: ENOTDIR/ })
})

t.test('a state file that is not a regular file is neither read nor replaced: the start stops', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  await t.rejects(readStateFile(dir), { name: 'FixtureError', message: /must be a regular file, and this is a folder/ })
  await t.rejects(readStateFile('/dev/null'), { name: 'FixtureError', message: /this is a device: the emulator neither reads nor replaces it/ })
  const fifo = join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  await t.rejects(readStateFile(fifo), { name: 'FixtureError', message: /this is a FIFO/ }, 'answered at once, not blocked on the FIFO')
  const socket = join(dir, 'socket')
  const server = createServer().listen(socket)
  await once(server, 'listening')
  t.teardown(() => server.close())
  await t.rejects(readStateFile(socket), { name: 'FixtureError', message: /this is a socket/ })
  await t.rejects(buildApp({ stateFile: '/dev/null' }), { name: 'FixtureError' }, 'the app is not built')
  t.ok(fs.statSync('/dev/null').isCharacterDevice(), '/dev/null is still the device')
})

t.test('writeNow writes the whole world by temp file and rename, leaving no temp file', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const file = join(dir, 'state.json')
  const s = source(1)
  const state = new StateFile(file, s)
  t.equal(state.file, file)
  t.same(await readdir(dir), [], 'building it writes nothing')
  state.writeNow()
  t.same(await onDisk(file), world(1))
  t.same(await readdir(dir), ['state.json'])
  t.equal(state.dirty, false)
  s.change(2)
  t.equal(state.dirty, true)
  await state.save()
  t.equal(state.dirty, false)
  t.same(await onDisk(file), world(2))
  t.same(await readdir(dir), ['state.json'])
})

t.test('a save with nothing new writes nothing; saves in one turn share one write', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const s = source()
  const state = new StateFile(join(dir, 'state.json'), s)
  const dumps = s.dumps
  await state.save()
  t.equal(s.dumps, dumps)
  t.same(await readdir(dir), [])
  s.change(2)
  const first = state.save()
  s.change(3)
  const second = state.save()
  t.equal(first, second, 'saves in the same turn share one write')
  await first
  t.equal(s.dumps, dumps + 1)
  t.same(await onDisk(join(dir, 'state.json')), world(3), 'with the last change')
})

t.test('a failed write keeps nothing: the world goes back to the last text written, the file and folder unchanged', async (t) => {
  for (const call of ['openSync', 'writeSync', 'fsyncSync', 'renameSync'] as const) {
    const dir = await tempDir(t, 'mrs-state-')
    const file = join(dir, 'state.json')
    const { fs: disk } = failing(call, 'ENOSPC')
    const s = source(1)
    new StateFile(file, s).writeNow()
    const broken = new StateFile(file, s, disk)
    s.change(2)
    s.change(3)
    const err = await broken.save().catch((e: unknown) => e) as StateFileError
    t.ok(err instanceof StateFileError, call)
    t.equal(err.message, `cannot write the state file ${file}: ENOSPC (no space left on the device)`, call)
    t.equal(err.file, file)
    t.equal(err.code, 'ENOSPC')
    t.same(s.world, world(1), `${call}: rolled back`)
    t.equal(broken.dirty, false, 'nothing pending after the rollback')
    t.same(await onDisk(file), world(1), `${call}: the file is as it was`)
    t.same(await readdir(dir), ['state.json'], `${call}: no temporary file left`)
  }
})

t.test('the next change after a failure is written when the disk works again', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const file = join(dir, 'state.json')
  const disk = failing('writeSync', 'EIO', 0)
  const s = source(1)
  const state = new StateFile(file, s, disk.fs)
  state.writeNow()
  s.change(2)
  disk.failures = 1
  await t.rejects(state.save(), { name: 'StateFileError', message: /EIO \(input\/output error\)/ })
  s.change(3)
  await state.save()
  t.same(await onDisk(file), world(3))
})

t.test('at start, a missing folder or a read-only place is a StateFileError naming the file', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const file = join(dir, 'missing', 'state.json')
  t.throws(() => new StateFile(file, source()).writeNow(), { name: 'StateFileError', message: `cannot write the state file ${file}: ENOENT (the folder does not exist)` })
  t.throws(() => new StateFile(join(dir, 's.json'), source(), failing('openSync', 'EROFS').fs).writeNow(), { message: /EROFS \(read-only file system\)$/ })
  t.same(await readdir(dir), [])
})

t.test('rename refused with EBUSY (a single-file bind mount): written in place from then on, synced', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const file = join(dir, 'state.json')
  await writeFile(file, JSON.stringify(world(0)) + ' '.repeat(100))
  const { fs: disk, calls } = failing('renameSync', 'EBUSY')
  const synced: number[] = []
  const s = source(1)
  const state = new StateFile(file, s, { ...disk, fsyncSync: (fd) => { synced.push(fd); fs.fsyncSync(fd) } })
  state.writeNow()
  t.same(await onDisk(file), world(1), 'the whole text, the old tail cut off')
  t.same(await readdir(dir), ['state.json'], 'the temporary file removed')
  s.change(2)
  await state.save()
  t.same(await onDisk(file), world(2))
  t.equal(calls.length, 1, 'rename tried once only')
  t.ok(synced.length >= 3, 'every write synced')
})

t.test('a folder that refuses a file beside an existing state file (a single-file mount in a read-only root): written in place', async (t) => {
  for (const code of ['EROFS', 'EACCES', 'EPERM']) {
    const dir = await tempDir(t, 'mrs-state-')
    const file = join(dir, 'state.json')
    const refusing: StateFs = {
      ...fs,
      openSync: ((path: string, flags: string) => {
        if (path.endsWith('.tmp')) throw Object.assign(new Error(code), { code })
        return fs.openSync(path, flags)
      }) as StateFs['openSync']
    }
    t.throws(() => new StateFile(file, source(1), refusing).writeNow(), { code }, `${code}: no file to write in place`)
    await writeFile(file, '')
    const s = source(1)
    const state = new StateFile(file, s, refusing)
    state.writeNow()
    s.change(2)
    await state.save()
    t.same(await onDisk(file), world(2), code)
    t.same(await readdir(dir), ['state.json'])
  }
})

t.test('an in-place write that fails puts the previous text back', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const file = join(dir, 'state.json')
  let failNext = false
  let failAll = false
  const disk: StateFs = {
    ...fs,
    renameSync: () => { throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' }) },
    writeSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
      if (failAll) throw Object.assign(new Error('EIO'), { code: 'EIO' })
      if (!failNext) return fs.writeSync(fd, buffer, offset, length, position)
      failNext = false
      fs.writeSync(fd, buffer, offset, 10, position) // a torn start, then the disk is full
      throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })
    }) as StateFs['writeSync']
  }
  await writeFile(file, '{}') // the bind-mounted file
  const s = source(1)
  const state = new StateFile(file, s, disk)
  state.writeNow()
  s.change(22222)
  failNext = true
  await t.rejects(state.save(), { code: 'ENOSPC' })
  t.same(await onDisk(file), world(1), 'the previous text is back')
  t.same(s.world, world(1))

  s.change(3)
  failAll = true // putting it back fails too: the write's own error is the one reported
  await t.rejects(state.save(), { code: 'EIO', message: /EIO \(input\/output error\)/ })
  t.same(s.world, world(1))
})

t.test('a symlinked state file is written through to its target; the link stays a link', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  await mkdir(join(dir, 'data'))
  const target = join(dir, 'data', 'real.json')
  await writeFile(target, '{}')
  await symlink('data/real.json', join(dir, 'state.json'))
  const s = source(1)
  new StateFile(join(dir, 'state.json'), s).writeNow()
  t.equal(await readlink(join(dir, 'state.json')), 'data/real.json')
  t.same(await onDisk(target), world(1))
  t.same((await readdir(join(dir, 'data'))).sort(), ['real.json'])

  // A dangling link (a chain of two): the write creates the final target.
  await symlink('hop.json', join(dir, 'dangling.json'))
  await symlink('data/new.json', join(dir, 'hop.json'))
  new StateFile(join(dir, 'dangling.json'), s).writeNow()
  t.equal(await readlink(join(dir, 'dangling.json')), 'hop.json')
  t.same(await onDisk(join(dir, 'data', 'new.json')), world(1))

  // A loop is left to the write, which names the problem.
  await symlink('loop-b', join(dir, 'loop-a'))
  await symlink('loop-a', join(dir, 'loop-b'))
  t.throws(() => new StateFile(join(dir, 'loop-a'), s), { name: 'StateFileError', message: /loop-a: ELOOP \(too many symbolic links\)$/ })
})

t.test('describeFsError: known codes in words, others as they are', async (t) => {
  t.equal(describeFsError(Object.assign(new Error('x'), { code: 'EACCES' })), 'EACCES (permission denied)')
  t.equal(describeFsError(Object.assign(new Error('x'), { code: 'EWHATEVER' })), 'EWHATEVER')
  t.equal(describeFsError(new Error('plain')), 'plain')
})

t.test('temporary files a killed process left beside the state file are removed at the next start', async (t) => {
  const dir = await tempDir(t, 'mrs-state-')
  const file = join(dir, 'state.json')
  const left = ['state.json.12345.tmp', 'state.json.7.tmp']
  const kept = ['other.json.1.tmp', 'state.json.tmp', 'state.json.x.tmp', 'state.json.1.tmp.bak']
  for (const name of [...left, ...kept]) await writeFile(join(dir, name), 'x')
  new StateFile(file, source()).writeNow()
  t.same((await readdir(dir)).sort(), [...kept, 'state.json'].sort(), 'only <file>.<pid>.tmp files go')

  // A folder that cannot be listed, or a temp file that cannot be removed: the start goes on.
  await writeFile(join(dir, 'state.json.8.tmp'), 'x')
  const unlisted = { ...fs, readdirSync: () => { throw Object.assign(new Error('EACCES'), { code: 'EACCES' }) } } as unknown as StateFs
  t.doesNotThrow(() => new StateFile(file, source(), unlisted))
  const stuck = { ...fs, unlinkSync: () => { throw Object.assign(new Error('EPERM'), { code: 'EPERM' }) } } as unknown as StateFs
  t.doesNotThrow(() => new StateFile(file, source(), stuck))
  t.ok((await readdir(dir)).includes('state.json.8.tmp'), 'left where it could not be removed')
})
