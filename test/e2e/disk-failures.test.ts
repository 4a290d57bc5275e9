import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runCli } from '../../src/cli.js'
import { JSON_HEADERS, listening, TOKEN, tempDir, userPath } from '../helpers.js'

/*
 * The state file on real failing disks: a full file system, a read-only one, a single-file bind
 * mount. Mounting needs root (CI runs as root); elsewhere these tests are skipped, and the same
 * failures are tested on an injected file system (test/core/state-file.test.ts,
 * test/routes/emulator/persistence.test.ts).
 */

/** Mounts a fresh tmpfs of `size` (mount's syntax); throws where mounting is not allowed. */
function mountTmpfs (size = '256k'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrs-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' })
  } catch (err) {
    rmSync(dir, { recursive: true })
    throw err
  }
  return dir
}

function unmount (dir: string): void {
  execFileSync('umount', ['-l', dir])
  rmSync(dir, { recursive: true })
}

/** false when this machine lets the tests mount; else why not (the tests are then skipped). */
const cannotMount = ((): false | string => {
  if (process.getuid?.() !== 0) return 'mounting needs root'
  try {
    unmount(mountTmpfs())
    return false
  } catch {
    return 'mount -t tmpfs is not allowed here'
  }
})()

/** A fresh tmpfs, unmounted after the test. */
function tmpfs (t: Test): string {
  const dir = mountTmpfs()
  t.teardown(() => unmount(dir))
  return dir
}

/** Fills the file system of `dir` to the last byte. */
function fill (dir: string): string {
  const filler = join(dir, 'filler')
  const chunk = Buffer.alloc(4096, 1)
  try {
    for (;;) appendFileSync(filler, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  }
  for (let size = 2048; size >= 1; size /= 2) {
    try { appendFileSync(filler, chunk.subarray(0, size)) } catch {}
  }
  return filler
}

/**
 * The emulator in this process, its state file on the given disk, its log lines kept: what these
 * tests prove is in the file system calls, not in the process (test/e2e/server.test.ts has that).
 */
async function start (t: Test, file: string) {
  let logs = ''
  const { url } = await listening(t, { stateFile: file, logger: { level: 'warn', stream: { write: (line: string) => { logs += line } } } })
  return { url, stdout: () => logs }
}

/** The command in this process: its exit code and output. */
async function command (argv: string[]) {
  let stdout = ''
  let stderr = ''
  const result = await runCli(argv, {}, { stdout: { write: (text: string) => { stdout += text } }, stderr: { write: (text: string) => { stderr += text } } })
  if (result.exitCode === undefined) await result.emulator.close()
  return { code: result.exitCode, stdout, stderr }
}

const post = (url: string, users: string[]) =>
  fetch(`${url}${userPath()}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ user_names: users }) })
const shown = async (url: string) => (await (await fetch(`${url}${userPath()}`, { headers: TOKEN })).json() as { user_names: string[] }).user_names

t.test('a full disk: changes are refused with 500 and not kept, the file stays whole, the log says why; freed, it works again', { skip: cannotMount }, async (t) => {
  const dir = tmpfs(t)
  const file = join(dir, 'state.json')
  const emulator = await start(t, file)
  const before = await readFile(file, 'utf8')
  const filler = fill(dir)

  const res = await post(emulator.url, ['user1'])
  t.equal(res.status, 500)
  t.same(await res.json(), { error_code: '12000004', error_msg: 'Internal server error.' })
  t.same(await shown(emulator.url), [], 'the users were not added')

  const put = await fetch(`${emulator.url}/_emulator/projects/p9/clusters/c9`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'running', synced_users: [], synced_groups: [] })
  })
  t.equal(put.status, 500)
  t.same(await put.json(), { error_code: 'EMULATOR.0500', error_msg: `The change was not kept: cannot write the state file ${file}: ENOSPC (no space left on the device).` })
  const reset = await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' })
  t.equal(reset.status, 500)
  t.equal((await fetch(`${emulator.url}/_emulator/projects/p9/clusters/c9`)).status, 404)

  t.equal(await readFile(file, 'utf8'), before, 'the state file is whole and unchanged')
  t.same((await readdir(dir)).sort(), ['filler', 'state.json'], 'no temporary file left')
  const logged = emulator.stdout().split('\n').filter((line) => line.includes('"level":50'))
  t.equal(logged.length, 3, 'one error line per failed write')
  t.match(logged[0], `"file":"${file}"`)
  t.match(logged[0], 'ENOSPC (no space left on the device)')

  await rm(filler)
  t.equal((await post(emulator.url, ['user1'])).status, 202)
  t.same(JSON.parse(await readFile(file, 'utf8')).projects[0].clusters[0].synced_users, ['user1'])
})

t.test('a single-file bind mount (rename gives EBUSY) is written in place, and works from an empty file', { skip: cannotMount }, async (t) => {
  const dir = tmpfs(t)
  await mkdir(join(dir, 'host'))
  await mkdir(join(dir, 'container'))
  const host = join(dir, 'host', 'state.json')
  const file = join(dir, 'container', 'state.json')
  await writeFile(host, '') // touch state.json, as before `docker run -v ./state.json:/data/state.json`
  await writeFile(file, '')
  execFileSync('mount', ['--bind', host, file])
  t.teardown(() => execFileSync('umount', ['-l', file]))

  const emulator = await start(t, file)
  t.equal((await post(emulator.url, ['user1'])).status, 202)
  t.same(JSON.parse(await readFile(host, 'utf8')).projects[0].clusters[0].synced_users, ['user1'], 'the host sees the change')
  t.same(await readdir(join(dir, 'container')), ['state.json'], 'no temporary file left')
  t.notMatch(emulator.stdout(), '"level":50', 'and nothing to complain about')
})

t.test('a writable single-file mount in a read-only folder (a subPath under readOnlyRootFilesystem) is written in place', { skip: cannotMount }, async (t) => {
  const host = tmpfs(t)
  const root = tmpfs(t)
  await writeFile(join(host, 'state.json'), '')
  await writeFile(join(root, 'state.json'), '')
  const file = join(root, 'state.json')
  execFileSync('mount', ['--bind', join(host, 'state.json'), file])
  t.teardown(() => execFileSync('umount', ['-l', file]))
  execFileSync('mount', ['-o', 'remount,ro', root])

  const emulator = await start(t, file)
  t.equal((await post(emulator.url, ['user1'])).status, 202)
  t.same(JSON.parse(await readFile(join(host, 'state.json'), 'utf8')).projects[0].clusters[0].synced_users, ['user1'])
})

t.test('a missing folder stops the start: one line naming --state-file, exit 2', async (t) => {
  const missing = join(await tempDir(t), 'no-such-folder', 'state.json')
  const { code, stdout, stderr } = await command(['--port', '0', '--state-file', missing])
  t.equal(code, 2)
  t.equal(stdout, '')
  t.equal(stderr, `mrs-emulator: Invalid --state-file: cannot write the state file ${missing}: ENOENT (the folder does not exist)\n`)
})

t.test('so does a read-only file system', { skip: cannotMount }, async (t) => {
  const dir = tmpfs(t)
  execFileSync('mount', ['-o', 'remount,ro', dir])
  const readOnly = await command(['--port', '0', '--state-file', join(dir, 'state.json')])
  t.equal(readOnly.code, 2)
  t.equal(readOnly.stderr, `mrs-emulator: Invalid --state-file: cannot write the state file ${join(dir, 'state.json')}: EROFS (read-only file system)\n`)
})
