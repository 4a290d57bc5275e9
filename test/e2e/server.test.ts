import { once } from 'node:events'
import { setTimeout } from 'node:timers/promises'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { CLUSTER, DOC_EXAMPLE_BODY, PROJECT, tempDir } from '../helpers.js'
import { runServer, startServer } from './process.js'

// What only the real process can show: the bin's wiring of signals and exit codes. The
// command's behaviour (settings, banner, errors) is tested in-process in test/cli.test.ts.

const docUrl = (base: string) => `${base}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`

t.test('the bin serves the documentation example, and SIGTERM closes it with its state file written, exit 0', async (t) => {
  const file = join(await tempDir(t, 'mrs-e2e-'), 'state.json')
  const { url, child } = await startServer(t, ['--state-file', file])
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
