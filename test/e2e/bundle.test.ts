import { readdir, readFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import t from 'tap'
import { CLUSTER, PROJECT, tempDir } from '../helpers.js'
import { PACKAGE_ROOT, VERSION_LINE } from '../../src/package-info.js'
import { plainEnv, runCommand, SERVER, startServer } from './process.js'

/*
 * `node dist/src/server.js` runs the build's bundle (one file: scripts/bundle.mjs) when coverage
 * is not measured, as everywhere but under `npm test`: the image, npx, the SDK suites. Here it
 * runs as users run it, each part that loads late included: the OpenAPI document, the dashboard,
 * https (its certificate library stays outside the bundle), the log.
 */
t.setTimeout(120_000)

const BUNDLE = join(PACKAGE_ROOT, 'dist', 'bundle', 'main.cjs')

t.test('without coverage, the process runs the bundle, not the modules, and every part of it works', async (t) => {
  const dir = await tempDir(t, 'mrs-bundle-')
  const { url, stdout, stderr } = await startServer(t, ['--tls', 'auto', '--tls-dir', dir, '--log-level', 'info'], { NODE_DEBUG: 'module' }, { coverage: false })
  const res = await fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, {
    method: 'DELETE', headers: { 'x-auth-token': 'any', 'content-type': 'application/json' }, body: '{"user_names":["user1"]}'
  })
  t.equal(res.status, 202)
  t.same(await res.json(), { state: 'synchronizing' })
  const openapi = await fetch(`${url}/_emulator/openapi.json`)
  t.equal(openapi.status, 200, 'the OpenAPI document (made on its first request)')
  t.match(await openapi.json(), { openapi: /^3\./ })
  t.equal((await fetch(`${url}/_emulator/ui`)).status, 200, 'the dashboard')
  const ca = await readFile(join(dir, (await readdir(dir)).find((name) => name.endsWith('.pem') && !name.includes('key'))!))
  const https = await new Promise<number>((resolve, reject) => {
    request(`${url.replace('http:', 'https:')}/_emulator/health`, { ca }, (answer) => { answer.resume(); resolve(answer.statusCode!) }).on('error', reject).end()
  })
  t.equal(https, 200, 'https on the same port')
  const loaded = stderr()
  t.match(loaded, BUNDLE, 'the bundle was loaded')
  t.notMatch(loaded, /dist\/src\/(cli|app|main)\.js/, 'and none of the modules it holds')
  t.match(stdout(), '"operation":"CancelSyncIamUser"', 'the request log line (pino, outside the bundle)')
})

t.test('the bundle answers --version as the modules do', async (t) => {
  const bundled = await runCommand(process.execPath, [SERVER, '--version'], { ...plainEnv, NODE_DEBUG: 'module' })
  t.equal(bundled.code, 0)
  t.equal(bundled.stdout, `${VERSION_LINE}\n`)
  t.match(bundled.stderr, BUNDLE)
})

t.test('the image\'s warm start fills the compile cache the emulator then reads', async (t) => {
  const cache = await tempDir(t, 'mrs-compile-cache-')
  const script = join(PACKAGE_ROOT, 'scripts', 'warm-cache.mjs')
  // The script is measured (the emulator it starts runs as users run it).
  const warm = await runCommand(process.execPath, [script], { ...process.env, NODE_COMPILE_CACHE: cache })
  t.equal(warm.code, 0, warm.stderr)
  const [version] = await readdir(cache)
  const files = await readdir(join(cache, version!))
  t.ok(files.length > 0, `${files.length} cached files`)
  const dockerfile = await readFile(join(PACKAGE_ROOT, 'Dockerfile'), 'utf8')
  t.match(dockerfile, /NODE_COMPILE_CACHE=\/app\/\.node-compile-cache/)
  t.match(dockerfile, /USER node\n(?:#.*\n)*RUN node scripts\/warm-cache\.mjs\n/, 'filled as the user the image runs as')
})

t.test('the bundle is ASCII: V8 holds its source as one byte a character, not two', async (t) => {
  // eslint-disable-next-line no-control-regex
  t.notMatch(await readFile(BUNDLE, 'latin1'), /[^\x00-\x7f]/)
})
