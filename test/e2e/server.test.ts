import { once } from 'node:events'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { CLUSTER, DOC_EXAMPLE_BODY, PROJECT } from '../helpers.js'
import { runServer, startServer } from './process.js'
import { VERSION } from '../../src/package-info.js'

const docUrl = (base: string) => `${base}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`

t.test('the real process answers the documentation example over HTTP', async (t) => {
  const { url } = await startServer(t)
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const res = await fetch(docUrl(url), {
    method: 'DELETE',
    headers: { 'X-Auth-Token': 'any', 'Content-Type': 'application/json;charset=UTF-8' },
    body: JSON.stringify(DOC_EXAMPLE_BODY)
  })
  t.equal(res.status, 202)
  t.match(res.headers.get('x-request-id'), /^[0-9a-f]{32}$/)
  t.same(await res.json(), { state: 'synchronizing' })

  const anonymous = await fetch(docUrl(url), { method: 'DELETE' })
  t.equal(anonymous.status, 401)
  t.match(await anonymous.json(), { error_code: 'APIGW.0301' })
})

t.test('settings come from the environment and flags', async (t) => {
  const { url } = await startServer(t, ['--sync-duration-ms', '60000'], { MRS_EMULATOR_AUTH: 'off' })
  t.equal((await fetch(docUrl(url), { method: 'POST' })).status, 202, 'auth off')
  const status = await fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync`)
  t.same(await status.json(), { is_synchronizing: true }, 'the task runs for the configured duration')
})

t.test('an invalid setting stops the start with one line naming it', async (t) => {
  const { code, stderr, stdout } = await runServer(['--auth', 'maybe'])
  t.equal(code, 2)
  t.equal(stdout, '')
  t.equal(stderr, 'mrs-emulator: Invalid --auth: "maybe" must be one of permissive, strict, off\n')
  const env = await runServer([], { PORT: 'eighty' })
  t.equal(env.stderr, 'mrs-emulator: Invalid PORT: "eighty" must be integer\n')
})

t.test('a broken fixture file stops the start with the file, the JSON path and the reason', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mrs-e2e-'))
  const file = join(dir, 'broken.json')
  await writeFile(file, JSON.stringify({ projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'bad id', state: 'running', synced_users: [], synced_groups: [] }] }] }))
  const { code, stderr } = await runServer(['--port', '0'], { MRS_EMULATOR_FIXTURES: file })
  t.equal(code, 2)
  t.match(stderr, new RegExp(`^mrs-emulator: ${file}: /projects/0/clusters/0/cluster_id: Expected string to match '\\^\\[A-Za-z0-9_-\\]\\+\\$'\\n$`))
})

t.test('SIGTERM closes the server and exits 0', async (t) => {
  const { child } = await startServer(t)
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0)
})

t.test('a port in use stops the start with one line and exit code 1', async (t) => {
  const { url } = await startServer(t)
  const { code, stderr } = await runServer(['--port', new URL(url).port])
  t.equal(code, 1)
  t.match(stderr, /^mrs-emulator: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+\n$/)
})

t.test('prints an IPv6 address in brackets', async (t) => {
  const { url } = await startServer(t, ['--host', '::1'])
  t.match(url, /^http:\/\/\[::1\]:\d+$/)
  t.equal((await fetch(`${url}/_emulator/health`)).status, 200)
})

t.test('--help lists every setting; --version prints the version', async (t) => {
  const help = await runServer(['--help'])
  t.equal(help.code, 0)
  for (const flag of ['--port', '--host', '--log-level', '--fixtures', '--auth', '--sync-duration-ms', '--state-file', '--admin-token', '--journal-size']) t.match(help.stdout, flag)
  t.match(help.stdout, /MRS_EMULATOR_JOURNAL_SIZE/)
  const version = await runServer(['--version'])
  t.equal(version.code, 0)
  t.equal(version.stdout, `${VERSION}\n`)
})
