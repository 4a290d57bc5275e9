import { statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildApp, startEmulator } from 'mrs-emulator'
import { PACKAGE_ROOT, VERSION } from '../src/package-info.js'
import { urlOf } from '../src/start.js'
import { CLUSTER, DOC_EXAMPLE_BODY, PROJECT } from './helpers.js'

t.test('imported by its name, startEmulator serves on a free port until closed', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  t.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(new URL(emulator.url).port, '9336')
  const res = await fetch(`${emulator.url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, {
    method: 'DELETE', headers: { 'x-auth-token': 't', 'content-type': 'application/json' }, body: JSON.stringify(DOC_EXAMPLE_BODY)
  })
  t.equal(res.status, 202)
  t.same(await res.json(), { state: 'synchronizing' })
  t.equal(typeof emulator.app.inject, 'function')
})

t.test('startEmulator takes every build option, and buildApp is exported for inject', async (t) => {
  const emulator = await startEmulator({ auth: 'off', host: '127.0.0.1', port: 0, syncDurationMs: 1000 })
  t.teardown(() => emulator.close())
  const res = await fetch(`${emulator.url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, { method: 'POST' })
  t.equal(res.status, 202)
  const app = await buildApp()
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/health' })).statusCode, 200)
})

t.test('urls put IPv6 hosts in brackets', async (t) => {
  t.equal(urlOf('::1', 80), 'http://[::1]:80')
  t.equal(urlOf('0.0.0.0', 80), 'http://0.0.0.0:80')
})

t.test('the compiled bin is executable after a build, so npx mrs-emulator runs from a clone', async (t) => {
  // npm test builds through the same `bin` script as npm run build.
  t.equal(statSync(join(PACKAGE_ROOT, 'dist', 'src', 'server.js')).mode & 0o111, 0o111)
})

t.test('CHANGELOG.md keeps a changelog: an Unreleased section, then one per version down to this one, dated', async (t) => {
  const text = await readFile(join(PACKAGE_ROOT, 'CHANGELOG.md'), 'utf8')
  const versions = [...text.matchAll(/^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$/gm)].map((m) => [m[1], m[2]])
  t.same(versions[0], ['Unreleased', undefined])
  t.ok(versions.some(([version, date]) => version === VERSION && date !== undefined), `a dated section for ${VERSION}`)
  for (const heading of text.matchAll(/^### (.+)$/gm)) t.ok(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'].includes(heading[1]!), heading[1]!)
})
