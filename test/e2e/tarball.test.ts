import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { parse } from 'yaml'
import { CLUSTER, DOC_EXAMPLE_BODY, PROJECT, tempDir } from '../helpers.js'
import { plainEnv } from './process.js'
import { PACKAGE_ROOT } from '../../src/package-info.js'

/**
 * The Docker image's runtime stage, without Docker: the packed tarball installed with
 * production dependencies only, then its bin run as the image's CMD runs it, and the image's
 * HEALTHCHECK and the compose client's command run against it.
 */
const ROOT = PACKAGE_ROOT
// Without tap's coverage hooks (plainEnv): nothing run here is the project's own files (npm,
// and the package as installed elsewhere).
const execFileAsync = promisify(execFile)
const run = (file: string, args: string[], options: { cwd?: string, env?: Record<string, string> } = {}) =>
  execFileAsync(file, args, { cwd: options.cwd, env: { ...plainEnv, ...options.env } })
t.setTimeout(180_000)

async function install (t: Test) {
  const dir = await tempDir(t, 'mrs-tarball-')
  // dist/ is already built by `npm test`; packing must not rebuild it under the other tests.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT })
  const { filename, files } = (JSON.parse(stdout) as Array<{ filename: string, files: Array<{ path: string }> }>)[0]!
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(dir, filename)], { cwd: dir })
  return { dir, files: files.map((f) => f.path) }
}

async function start (bin: string, env: Record<string, string> = {}) {
  const child = spawn(bin, ['--port', '0', '--log-level', 'warn'], { env: { ...plainEnv, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const match = /listening on (\S+)/.exec(out)
      if (match !== null) resolve(match[1]!)
    })
    child.on('exit', (code) => reject(new Error(`exited with ${code}`)))
  })
  return { child, url }
}

/** The exec form of an instruction: `HEALTHCHECK … CMD ["node", "-e", "…"]`. */
function execForm (dockerfile: string, instruction: RegExp): string[] {
  const joined = dockerfile.replace(/\\\n/g, ' ')
  return JSON.parse(instruction.exec(joined)![1]!) as string[]
}

t.test('the packed tarball ships only what runs, and its bin serves, answers health checks and stops on SIGTERM', async (t) => {
  const { dir, files } = await install(t)
  t.ok(files.every((f) => /^(dist\/(src|routes)\/.*\.(js|js\.map|d\.ts)|dist\/src\/ui\/[^/]+\.(html|css|js)|(src|routes)\/.*\.ts|dist\/build\.json|dist\/bundle\/main\.cjs(\.LEGAL\.txt)?|fixtures\/[^/]+\.json|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/.test(f)), 'only compiled code with its maps and sources, the dashboard\'s files, the build\'s commit, fixtures, README, CHANGELOG, LICENSE')
  t.ok(files.includes('dist/src/ui/index.html') && files.includes('dist/src/ui/style.css'), 'the dashboard ships')
  t.ok(files.includes('dist/src/index.d.ts'), 'type declarations ship')
  t.ok(files.includes('dist/bundle/main.cjs'), 'the bundle the bin runs ships')
  const pkg = join(dir, 'node_modules', 'mrs-emulator')
  // Every source map a compiled file names ships, and so does every source it points to.
  let maps = 0
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await readFile(join(pkg, file), 'utf8'))?.[1]
    if (map === undefined) continue
    const mapPath = join(dirname(file), map)
    maps++
    if (!files.includes(mapPath)) t.fail(`${file} names ${mapPath}, which does not ship`)
    const { sources } = JSON.parse(await readFile(join(pkg, mapPath), 'utf8')) as { sources: string[] }
    for (const source of sources) if (!files.includes(join(dirname(file), source))) t.fail(`${mapPath} points to ${source}, which does not ship`)
  }
  t.ok(maps > 20, `${maps} source maps checked`)
  t.notOk(existsSync(join(pkg, 'node_modules', 'typescript')) || existsSync(join(dir, 'node_modules', 'tap')), 'no dev dependencies installed')

  const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8')
  const cmd = execForm(dockerfile, /^CMD (\[.*\])$/m)
  t.same(cmd, ['node', 'dist/src/server.js'], 'the image runs node directly')
  const { child, url } = await start(join(dir, 'node_modules', '.bin', 'mrs-emulator'))
  const port = new URL(url).port

  const health = await fetch(`${url}/_emulator/health`)
  t.equal(health.status, 200)
  t.match(await health.json(), { commit: /^[0-9a-f]{40}$/ }, 'the package knows the commit it was built from')
  t.equal((await fetch(`${url}/_emulator/ui/main.js`)).status, 200, 'the dashboard, from the installed package')
  const res = await fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, {
    method: 'DELETE', headers: { 'X-Auth-Token': 'any', 'Content-Type': 'application/json;charset=UTF-8' }, body: JSON.stringify(DOC_EXAMPLE_BODY)
  })
  t.equal(res.status, 202)

  const [node, ...healthArgs] = execForm(dockerfile, /HEALTHCHECK .*? CMD (\[.*\])/)
  t.equal(node, 'node')
  const healthy = await run(process.execPath, healthArgs, { env: { PORT: port } }).then(() => 0, (err: { code: number }) => err.code)
  t.equal(healthy, 0, "the image's HEALTHCHECK passes against the configured PORT")

  const compose = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'))
  t.same(compose.services['example-client'].depends_on, { 'mrs-emulator': { condition: 'service_healthy' } })
  const [, , script] = compose.services['example-client'].command as string[]
  const client = await run(process.execPath, ['-e', script!.replace('http://mrs-emulator:9336', url)])
  t.match(client.stdout, /^202 \{"state":"synchronizing"\}/, "the compose client's request works")

  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0)
  const unhealthy = await run(process.execPath, healthArgs, { env: { PORT: port } }).then(() => 0, (err: { code: number }) => err.code)
  t.equal(unhealthy, 1, 'and fails once the emulator is gone')

  await writeFile(join(dir, 'consumer.mjs'), `
    import { startEmulator } from 'mrs-emulator'
    const emulator = await startEmulator({ auth: 'off' })
    const res = await fetch(emulator.url + '/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user', { method: 'DELETE' })
    console.log(res.status, await res.text())
    await emulator.close()
  `)
  const consumer = await run(process.execPath, ['consumer.mjs'], { cwd: dir })
  t.equal(consumer.stdout, '202 {"state":"synchronizing"}\n', 'a consumer imports it by name and drives startEmulator')
})
