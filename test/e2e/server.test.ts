import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout } from 'node:timers/promises'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { DOC_EXAMPLE_BODY, docUrl, tempDir } from '../helpers.js'
import { PACKAGE_ROOT } from '../../src/package-info.js'
import { plainEnv, runServer, startServer } from './process.js'

// Real processes, started and stopped one after another: ~12 s alone, past 30 s on a busy machine.
t.setTimeout(120_000)

// What only the real process can show: the bin's wiring of signals and exit codes. The
// command's behaviour (settings, banner, errors) is tested in-process in test/cli.test.ts.

t.test('the bin serves the documentation example, and SIGTERM closes it with its state file written, exit 0', async (t) => {
  const file = join(await tempDir(t, 'mrs-e2e-'), 'state.json')
  const { url, child, stdout } = await startServer(t, ['--state-file', file, '--log-level', 'info'])
  const headers = { 'X-Auth-Token': 'any', 'Content-Type': 'application/json;charset=UTF-8' }
  t.equal((await fetch(docUrl(url), { method: 'POST', headers, body: JSON.stringify({ user_names: ['user1'] }) })).status, 202)
  const res = await fetch(docUrl(url), { method: 'DELETE', headers, body: JSON.stringify(DOC_EXAMPLE_BODY) })
  t.equal(res.status, 202)
  t.same(await res.json(), { state: 'synchronizing' })
  t.equal((await fetch(docUrl(url), { method: 'POST', headers, body: JSON.stringify({ user_names: ['analyst'] }) })).status, 202)
  child.kill('SIGTERM')
  const [code] = await once(child, 'close')
  t.equal(code, 0)
  const saved = JSON.parse(await readFile(file, 'utf8'))
  t.same(saved.projects[0].clusters[0].synced_users, ['analyst'], 'every change is in the state file')
  const lines = stdout().trim().split('\n')
  t.match(lines[0], /^mrs-emulator \S+ listening on http:\/\/127\.0\.0\.1:\d+ \(auth: permissive, /, 'one start line, first')
  t.equal(lines.filter((line) => line.includes('listening')).length, 1, 'and only one')
  t.ok(lines.filter((line) => line.includes('"reqId"')).length >= 3, 'then a line per request')
})

t.test('a failed start exits 2 with one line on stderr', async (t) => {
  const { code, stdout, stderr } = await runServer(['--auth', 'maybe'])
  t.equal(code, 2)
  t.equal(stdout, '')
  t.equal(stderr, 'mrs-emulator: Invalid --auth: "maybe" must be one of permissive, strict, off\n')
})

t.test('a request still in flight past the shutdown grace: SIGTERM exits 1', async (t) => {
  const { url, child, stderr } = await startServer(t, ['--auth', 'off', '--shutdown-grace-ms', '100'], {}, { coverage: false })
  // A delay rule only to see the request arrive (its hit count): shutdown ends the delay, and
  // the request then waits for a body that never comes.
  await fetch(`${url}/_emulator/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: { operation: 'CancelSyncIamUser' }, action: { delay_ms: 600_000 } })
  })
  const { hostname, port, pathname } = new URL(docUrl(url))
  const socket = connect(Number(port), hostname)
  socket.write(`DELETE ${pathname} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`)
  let answer = ''
  socket.on('data', (chunk) => { answer += chunk })
  socket.on('error', () => {})
  for (;;) {
    const { faults } = await (await fetch(`${url}/_emulator/faults`)).json() as { faults: Array<{ hits: number }> }
    if (faults[0]!.hits === 1) break
    await setTimeout(5)
  }
  child.kill('SIGTERM')
  const [code] = await once(child, 'close')
  t.equal(code, 1)
  t.match(stderr(), /killed by timeout \(100ms\)/)
  t.equal(answer, '', 'no answer')
  socket.destroy()
})

t.test('SIGTERM to `npm start` stops the emulator too: the port is let go', async (t) => {
  // --ignore-scripts: the start script alone, on the dist/ that npm test built (no prestart build).
  // Its own process group, so that whatever it leaves behind is killed after the test.
  const npm = spawn('npm', ['start', '--ignore-scripts', '--silent', '--', '--port', '0', '--log-level', 'warn'], { cwd: PACKAGE_ROOT, env: plainEnv, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  t.teardown(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL')
    } catch {
      // the group is gone: nothing was left behind
    }
  })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    npm.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const match = /listening on (\S+)/.exec(out)
      if (match !== null) resolve(match[1]!)
    })
    npm.on('exit', (code) => reject(new Error(`npm start exited with ${code}`)))
  })
  t.equal((await fetch(`${url}/_emulator/health`)).status, 200)
  npm.kill('SIGTERM')
  await once(npm, 'exit')
  // The emulator closes gracefully; poll until its port refuses connections (bounded by the test's timeout).
  t.setTimeout(20_000)
  for (;;) {
    try {
      await fetch(`${url}/_emulator/health`)
      await setTimeout(50)
    } catch {
      break
    }
  }
  t.pass('the port is free')
})

t.test('started by npm, the emulator closes once its parent has gone: `npx mrs-emulator & … kill $!` leaves no process and frees the port', async (t) => {
  // npx runs the bin in a shell; a SIGTERM to npx ends npx and that shell, not the emulator.
  // Here the shell is the parent, and SIGKILL ends it alone.
  // With coverage: the watch's own defaults (the parent's pid, the SIGTERM) run only here.
  const shell = spawn('sh', ['-c', `"${process.execPath}" dist/src/server.js --port 0 --log-level warn; true`], { cwd: PACKAGE_ROOT, env: { ...process.env, npm_execpath: 'npm' }, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  t.teardown(() => {
    try {
      process.kill(-shell.pid!, 'SIGKILL')
    } catch {
      // the group is gone: nothing was left behind
    }
  })
  let out = ''
  const url = await new Promise<string>((resolve) => {
    shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const match = /listening on (\S+)/.exec(out)
      if (match !== null) resolve(match[1]!)
    })
  })
  t.equal((await fetch(`${url}/_emulator/health`)).status, 200)
  // A real process's own timer: let it find its parent there at least once (every 250 ms).
  await setTimeout(400)
  t.equal((await fetch(`${url}/_emulator/health`)).status, 200, 'still serving while its parent lives')
  const emulator = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(shell.pid)], { encoding: 'utf8' }).trim())
  shell.kill('SIGKILL')
  t.setTimeout(20_000)
  // Gone, and not killed: it exits on its own (the teardown's SIGKILL finds nothing).
  // (A process that has exited may wait as a zombie for its new parent to reap it: that is gone too.)
  while (running(emulator)) await setTimeout(50)
  await t.rejects(fetch(`${url}/_emulator/health`), 'the port is free')
})

/** Whether a process runs (a zombie waiting for its new parent to reap it has exited). */
function running (pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}
