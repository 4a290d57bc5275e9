import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runCli, shutdown, type CliResult } from '../src/cli.js'
import { DEFAULT_FIXTURES, VERSION } from '../src/package-info.js'
import { startEmulator } from '../src/start.js'
import { CLUSTER, DOC_EXAMPLE_BODY, docUrl, PROJECT, tempDir } from './helpers.js'

/** Runs the command in-process with captured output; closes whatever it started after the test. */
async function cli (t: Test, argv: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const started: string[] = []
  const result: CliResult = await runCli(argv, env, {
    stdout: { write: (text: string) => { stdout += text } },
    stderr: { write: (text: string) => { stderr += text } },
    onStart: (emulator) => { started.push(emulator.url) }
  })
  if (result.exitCode === undefined) t.teardown(() => result.emulator.close())
  return { result, stdout, stderr, started }
}

t.test('with --tls, the start line names both URLs of the port, and the CA\'s file (auto)', async (t) => {
  const dir = await tempDir(t, 'mrs-cli-tls-')
  const auto = await cli(t, ['--port', '0', '--log-level', 'silent', '--tls', 'auto', '--tls-dir', join(dir, 'ca')])
  if (auto.result.exitCode !== undefined) throw new Error('did not start')
  const { url } = auto.result.emulator
  t.equal(auto.stdout, `mrs-emulator ${VERSION} listening on ${url} and ${url.replace('http:', 'https:')} (CA: ${join(dir, 'ca', 'ca.pem')}) (auth: permissive, fixtures: ${DEFAULT_FIXTURES}, state file: none, admin token: off)\n`)
  // The files of another run, as a user's own.
  const { TlsMaterial } = await import('../src/http/tls.js')
  const pair = await (await TlsMaterial.open({ tls: 'auto', tlsDir: join(dir, 'ca') }))!.options([])
  await writeFile(join(dir, 'cert.pem'), pair.cert as string)
  await writeFile(join(dir, 'key.pem'), pair.key as string)
  const files = await cli(t, ['--port', '0', '--log-level', 'silent'], { MRS_EMULATOR_TLS: 'files', MRS_EMULATOR_TLS_CERT: join(dir, 'cert.pem'), MRS_EMULATOR_TLS_KEY: join(dir, 'key.pem') })
  if (files.result.exitCode !== undefined) throw new Error('did not start')
  const other = files.result.emulator.url
  t.equal(files.stdout, `mrs-emulator ${VERSION} listening on ${other} and ${other.replace('http:', 'https:')} (auth: permissive, fixtures: ${DEFAULT_FIXTURES}, state file: none, admin token: off)\n`)
  const refused = await cli(t, ['--tls', 'files', '--tls-cert', join(dir, 'nope.pem'), '--tls-key', join(dir, 'key.pem')])
  t.same(refused.result, { exitCode: 2 }, 'a file that cannot be read is a bad setting')
  t.equal(refused.stderr, `mrs-emulator: Invalid --tls-cert: ENOENT: no such file or directory, open '${join(dir, 'nope.pem')}'\n`)
})

t.test('starts on the bundled fixtures and prints one line with the URL, after onStart', async (t) => {
  const { result, stdout, stderr, started } = await cli(t, ['--port', '0', '--log-level', 'silent'])
  if (result.exitCode !== undefined) throw new Error('did not start')
  const url = result.emulator.url
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(stdout, `mrs-emulator ${VERSION} listening on ${url} (auth: permissive, fixtures: ${DEFAULT_FIXTURES}, state file: none, admin token: off)\n`)
  t.equal(stderr, '')
  t.same(started, [url])

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
  const { result, stdout } = await cli(t, ['--port', '0', '--log-level', 'silent', '--sync-duration-ms', '60000'], { MRS_EMULATOR_AUTH: 'off', MRS_EMULATOR_ADMIN_TOKEN: 'secret' })
  if (result.exitCode !== undefined) throw new Error('did not start')
  t.match(stdout, /\(auth: off,.*, admin token: on\)\n$/)
  t.equal((await fetch(docUrl(result.emulator.url), { method: 'POST' })).status, 202, 'auth off')
  const status = await fetch(`${result.emulator.url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync`)
  t.same(await status.json(), { is_synchronizing: true }, 'the task runs for the configured duration')
  t.equal(result.config.shutdownGraceMs, 10_000)
})

t.test('prints an IPv6 address in brackets', async (t) => {
  const { result } = await cli(t, ['--port', '0', '--log-level', 'silent', '--host', '::1'])
  if (result.exitCode !== undefined) throw new Error('did not start')
  t.match(result.emulator.url, /^http:\/\/\[::1\]:\d+$/)
  t.equal((await fetch(`${result.emulator.url}/_emulator/health`)).status, 200)
})

t.test('an invalid setting stops the start with one line naming it, exit code 2', async (t) => {
  const flag = await cli(t, ['--auth', 'maybe'])
  t.same(flag.result, { exitCode: 2 })
  t.equal(flag.stdout, '')
  t.equal(flag.stderr, 'mrs-emulator: Invalid --auth: "maybe" must be one of permissive, strict, off\n')
  t.same(flag.started, [], 'nothing started')
  const env = await cli(t, [], { PORT: 'eighty' })
  t.same(env.result, { exitCode: 2 })
  t.equal(env.stderr, 'mrs-emulator: Invalid PORT: "eighty" must be an integer\n')
  const grace = await cli(t, ['--shutdown-grace-ms=-5'])
  t.same(grace.result, { exitCode: 2 })
  t.equal(grace.stderr, 'mrs-emulator: Invalid --shutdown-grace-ms: "-5" must be >= 0\n')
})

t.test('a broken fixture file stops the start with the file, the JSON path and the reason, exit code 2', async (t) => {
  const file = join(await tempDir(t, 'mrs-cli-'), 'broken.json')
  await writeFile(file, JSON.stringify({ projects: [{ project_id: 'p1', iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'bad id', state: 'running', synced_users: [], synced_groups: [] }] }] }))
  const { result, stderr } = await cli(t, ['--port', '0'], { MRS_EMULATOR_FIXTURES: file })
  t.same(result, { exitCode: 2 })
  t.equal(stderr, `mrs-emulator: ${file}: /projects/0/clusters/0/cluster_id: must be letters, digits, underscores and hyphens only\n`)
})

t.test('an address that is not this machine\'s stops the start with one line naming --host, exit code 2', async (t) => {
  // 203.0.113.1 is TEST-NET-3 (RFC 5737): never a local address, and no name to resolve.
  const { result, stderr } = await cli(t, ['--port', '0', '--host', '203.0.113.1'])
  t.same(result, { exitCode: 2 })
  t.match(stderr, /^mrs-emulator: Invalid --host: listen EADDRNOTAVAIL: address not available 203\.0\.113\.1(:\d+)?\n$/)
})

t.test('a port in use stops the start with one line and exit code 1', async (t) => {
  const other = await startEmulator()
  t.teardown(() => other.close())
  const { result, stderr } = await cli(t, ['--port', new URL(other.url).port])
  t.same(result, { exitCode: 1 })
  t.match(stderr, /^mrs-emulator: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+\n$/)
})

t.test('a start that fails once listening (in onStart) exits 1 and lets the port go', async (t) => {
  let url = ''
  let stderr = ''
  const result = await runCli(['--port', '0', '--log-level', 'silent'], {}, {
    stdout: { write: () => {} },
    stderr: { write: (text: string) => { stderr += text } },
    onStart: (emulator) => { url = emulator.url; throw new Error('no signal handlers') }
  })
  t.same(result, { exitCode: 1 })
  t.equal(stderr, 'mrs-emulator: no signal handlers\n')
  await t.rejects(fetch(`${url}/_emulator/health`), 'nothing listens any more')
})

t.test('--help lists every setting, in aligned columns; --version prints the version', async (t) => {
  const help = await cli(t, ['--help'])
  t.same(help.result, { exitCode: 0 })
  for (const flag of ['--port', '--host', '--log-level', '--fixtures', '--auth', '--sync-duration-ms', '--state-file', '--admin-token', '--journal-size', '--allowed-origins', '--allowed-hosts', '--shutdown-grace-ms']) t.match(help.stdout, flag)
  t.match(help.stdout, /MRS_EMULATOR_JOURNAL_SIZE/)
  const columns = help.stdout.split('\n').filter((line) => line.startsWith('  -')).map((line) => line.search(/ (MRS_EMULATOR_|PORT|HOST|LOG_LEVEL|Print)/))
  t.equal(new Set(columns).size, 1, 'the second column starts at the same place on every row')
  const version = await cli(t, ['--version'])
  t.same(version.result, { exitCode: 0 })
  t.equal(version.stdout, `${VERSION} (commit ${execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()})\n`, 'the version and the commit the build was made from')
  t.equal((await cli(t, ['-h'])).stdout, help.stdout, '-h')
  t.equal((await cli(t, ['-v'])).stdout, version.stdout, '-v')
})

t.test('a requested stop is logged at info, an unexpected error at error; both close the emulator', async (t) => {
  for (const [cause, level] of [[{ signal: 'SIGTERM' }, 30], [{ err: new Error('boom') }, 50]] as const) {
    const lines: Array<{ level: number, msg: string }> = []
    const emulator = await startEmulator({ logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } })
    await shutdown(emulator)(cause)
    t.match(lines.at(-1), { level, msg: /^shutting down/ })
    await t.rejects(fetch(`${emulator.url}/_emulator/health`), 'closed')
  }
})

t.test('startEmulator logs no line of its own at start (the command prints one); a logger\'s own hooks still run', async (t) => {
  const lines: Array<{ msg: string }> = []
  const seen: unknown[] = []
  const emulator = await startEmulator({
    logger: {
      level: 'info',
      stream: { write: (line: string) => lines.push(JSON.parse(line)) },
      hooks: { logMethod (args, method) { seen.push(args.at(-1)); method.apply(this, args) } }
    }
  })
  t.teardown(() => emulator.close())
  t.same(lines, [], 'no "Server listening" line')
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' })
  t.equal(lines.length, 1, 'requests are logged')
  t.same(seen, [lines[0]!.msg], 'through the given hook')
  const plain: string[] = []
  const other = await startEmulator({ logger: { level: 'info', stream: { write: (line: string) => plain.push(line) } } })
  await other.close()
  t.same(plain.map((line) => JSON.parse(line).msg), [], 'none without a hook either')
})

t.test('a build that does not know its commit says so', async (t) => {
  const { versionBadge, versionLine } = await import('../src/package-info.js')
  t.equal(versionLine('1.2.3', null), '1.2.3')
  t.equal(versionLine('1.2.3', 'abc'), '1.2.3 (commit abc)')
  t.equal(versionBadge('1.2.3', null), '1.2.3 · commit unknown')
  t.equal(versionBadge('1.2.3', '0123456789abcdef'), '1.2.3 · commit 0123456789ab')
})
