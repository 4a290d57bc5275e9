import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { PACKAGE_ROOT } from '../src/package-info.js'
import { listening, readPackageFile, tempDir } from './helpers.js'
import { plainEnv, runCommand, SERVER } from './e2e/process.js'

/*
 * docs/ci.md's recipes (examples/). Their schemas and compilers are test/recipes/run's (.ci/run);
 * Docker runs them in the CI workflow. Here: they name the release being made, pin the SDKs the
 * SDK suites pin, appear in docs/ci.md as they are, and what each runs in its CI job (curl, sh,
 * node) works against a real emulator on a real port.
 */
const read = readPackageFile
const { version } = JSON.parse(await read('package.json')) as { version: string }
const IMAGE = `ghcr.io/OWNER/mrs-emulator:${version}`

const TESTCONTAINERS = {
  node: 'examples/testcontainers/node/emulator.test.ts',
  python: 'examples/testcontainers/python/test_emulator.py',
  go: 'examples/testcontainers/go/emulator_test.go',
  java: 'examples/testcontainers/java/src/test/java/example/EmulatorTest.java'
}

t.test("every recipe runs the image of this package's version", async (t) => {
  const https = parse(await read('examples/docker-compose-https.yml'))
  t.equal(https.services['mrs-emulator'].image, `\${MRS_EMULATOR_IMAGE:-${IMAGE}}`, 'compose over https')
  const github = parse(await read('examples/github-actions.yml'))
  t.equal(github.jobs['contract-tests'].services['mrs-emulator'].image, IMAGE, 'GitHub Actions')
  const gitlab = parse(await read('examples/gitlab-ci.yml'))
  t.equal(gitlab['contract-tests'].services[0].name, IMAGE, 'GitLab CI')
  const compose = parse(await read('examples/docker-compose.yml'))
  t.equal(compose.services['mrs-emulator'].image, `\${MRS_EMULATOR_IMAGE:-${IMAGE}}`, 'compose')
  for (const [language, file] of Object.entries(TESTCONTAINERS)) {
    const text = await read(file)
    t.match(text, `"${IMAGE}"`.replace(/"/g, language === 'node' ? "'" : '"'), `Testcontainers, ${language}`)
    t.match(text, 'MRS_EMULATOR_IMAGE', `${language}: the image can be named`)
    t.match(text, '/_emulator/ready', `${language}: waits until the emulator is ready`)
    t.match(text, /MRS_EMULATOR_AUTH["', :]+strict/, `${language}: signatures verified`)
  }
})

t.test('the Testcontainers programs use the SDK versions the SDK suites pin', async (t) => {
  const pin = (text: string, pattern: RegExp) => pattern.exec(text)?.[1]
  t.equal(pin(await read('examples/testcontainers/python/requirements.txt'), /^huaweicloudsdkmrs==(\S+)/m),
    pin(await read('test/sdk/python/requirements.txt'), /^huaweicloudsdkmrs==(\S+)/m), 'Python')
  const goPin = /huaweicloud-sdk-go-v3 (v\S+)/
  t.equal(pin(await read('examples/testcontainers/go/go.mod'), goPin), pin(await read('test/sdk/go/go.mod'), goPin), 'Go')
  t.equal(pin(await read('examples/testcontainers/java/pom.xml'), /huaweicloud-sdk-mrs<\/artifactId>\s*<version>([^<]+)</),
    pin(await read('test/sdk/java/pom.xml'), /<huaweicloud\.sdk\.version>([^<]+)</), 'Java')
  const example = JSON.parse(await read('examples/testcontainers/node/package.json')) as { devDependencies: Record<string, string> }
  const lock = JSON.parse(await read('package-lock.json')) as { packages: Record<string, { version: string }> }
  t.equal(example.devDependencies['@huaweicloud/huaweicloud-sdk-core'], lock.packages['node_modules/@huaweicloud/huaweicloud-sdk-core']!.version, 'Node.js')
  // The check's lock includes the example's: the same versions in both.
  const locked = (text: string) => new Map([...text.matchAll(/^([\w.-]+)==(\S+)/gm)].map((m) => [m[1]!, m[2]!]))
  const check = locked(await read('test/recipes/requirements.txt'))
  for (const [name, pinned] of locked(await read('examples/testcontainers/python/requirements.txt'))) t.equal(check.get(name), pinned, `${name} in both locks`)
})

t.test('docs/ci.md shows each recipe file as it is, and test/recipes/run checks every one', async (t) => {
  const doc = await read('docs/ci.md')
  const shown = [...doc.matchAll(/^`([^`]+)`:\n\n```\w+\n([\s\S]*?)\n```$/gm)].map((m) => [m[1]!, m[2]!] as const)
  const files = ['examples/github-actions.yml', 'examples/gitlab-ci.yml', 'examples/docker-compose.yml', 'examples/docker-compose-https.yml',
    'examples/testcontainers/node/package.json', ...Object.values(TESTCONTAINERS)]
  t.same(shown.map(([file]) => file).sort(), [...files].sort(), 'every recipe is shown')
  for (const [file, text] of shown) t.equal(text, (await read(file)).trimEnd(), `${file} as it is`)
  const run = await read('test/recipes/run')
  for (const language of await readdir(`${PACKAGE_ROOT}/examples/testcontainers`)) t.match(run, `${language}_example `, `${language} is checked`)
  for (const file of ['examples/gitlab-ci.yml', 'examples/docker-compose.yml', 'examples/docker-compose-https.yml', 'examples/github-actions.yml']) t.match(run, file)
})

/** Runs a command with MRS_ENDPOINT set; its exit code and output. */
const withEndpoint = (endpoint: string, command: string, args: string[]) =>
  runCommand(command, args, { PATH: process.env.PATH, HOME: process.env.HOME, MRS_ENDPOINT: endpoint })

t.test("the GitHub Actions recipe's steps work against the emulator", async (t) => {
  const job = parse(await read('examples/github-actions.yml')).jobs['contract-tests']
  const service = job.services['mrs-emulator']
  t.same(service.ports, ['9336:9336'])
  t.equal(job.env.MRS_ENDPOINT, 'http://127.0.0.1:9336')
  const { url } = await listening(t, { auth: service.env.MRS_EMULATOR_AUTH, logger: false })
  const outputs: string[] = []
  for (const step of job.steps as Array<{ run: string }>) {
    // GitHub runs `run` with bash -e.
    const { code, stdout, stderr } = await withEndpoint(url, 'bash', ['-e', '-c', step.run])
    t.equal(code, 0, stderr)
    outputs.push(stdout)
  }
  t.equal(outputs[0], '{"state":"synchronizing"}')
  t.match(JSON.parse(outputs[1]!), { status: 'ok', version })
  // And a step fails when the emulator is not there: curl --fail-with-body.
  const closed = await withEndpoint('http://127.0.0.1:9', 'bash', ['-e', '-c', job.steps[0].run])
  t.not(closed.code, 0, 'no emulator, no success')
})

t.test("the GitLab CI recipe's script works against the emulator", async (t) => {
  const job = parse(await read('examples/gitlab-ci.yml'))['contract-tests']
  const [service] = job.services
  t.equal(service.alias, 'mrs-emulator')
  t.equal(job.variables.MRS_ENDPOINT, 'http://mrs-emulator:9336', 'the service under its alias')
  t.match(job.script[0], '$MRS_ENDPOINT/_emulator/ready', 'it waits until the emulator is ready')
  const { url } = await listening(t, { auth: service.variables.MRS_EMULATOR_AUTH, logger: false })
  // GitLab runs the script's lines in one shell that stops at the first failure.
  const { code, stdout, stderr } = await withEndpoint(url, 'sh', ['-e', '-c', job.script.join('\n')])
  t.equal(code, 0, stderr)
  t.equal(stdout, '{"state":"synchronizing"}')
})

t.test("the compose recipe's tests pass against the emulator once it is healthy", async (t) => {
  const { services } = parse(await read('examples/docker-compose.yml'))
  t.same(services.tests.depends_on, { 'mrs-emulator': { condition: 'service_healthy' } })
  t.equal(services.tests.environment.MRS_ENDPOINT, 'http://mrs-emulator:9336')
  const { url } = await listening(t, { auth: services['mrs-emulator'].environment.MRS_EMULATOR_AUTH, logger: false })
  const [node, ...args] = services.tests.command as string[]
  t.equal(node, 'node')
  const { code, stdout, stderr } = await withEndpoint(url, process.execPath, args)
  t.equal(code, 0, stderr)
  t.equal(stdout, '202 {"state":"synchronizing"}\n')
})

/** Why a network namespace cannot be made here, or undefined when it can (root, and `ip`). */
function noNamespace (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root, for ip netns and port 443'
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return 'needs ip (iproute2)'
  return undefined
}

t.test("the compose recipe over https: its tests reach the emulator by the aliases' names, trusting its CA", async (t) => {
  const { services } = parse(await read('examples/docker-compose-https.yml'))
  const emulator = services['mrs-emulator']
  const tests = services.tests
  t.same(emulator.networks.default.aliases, ['mrs.cn-north-4.myhuaweicloud.com', 'iam.cn-north-4.myhuaweicloud.com', 'iam.myhuaweicloud.com'], 'the names the certificate covers for the fixtures\' first region')
  t.same(tests.depends_on, { 'mrs-emulator': { condition: 'service_healthy' } })
  t.equal(tests.environment.NODE_EXTRA_CA_CERTS, '/data/ca/ca.pem', 'the CA, where the image keeps it (MRS_EMULATOR_TLS_DIR=/data/ca)')
  t.match(await read('Dockerfile'), /MRS_EMULATOR_TLS_DIR=\/data\/ca/)

  // As Docker would run it, without Docker: the two services in a network namespace of their own,
  // whose hosts file gives the emulator the aliases' names.
  const why = noNamespace()
  if (why !== undefined) {
    // .ci/run requires it: there a machine that cannot is a failure, not a skip.
    if (process.env.CI_REQUIRE_NETNS === '1') t.fail(why)
    else t.comment(`not run over https: ${why}`)
    return
  }
  const name = `mrs-compose-${process.pid}`
  const hosts = join('/etc/netns', name)
  await mkdir(hosts, { recursive: true })
  await writeFile(join(hosts, 'hosts'), ['127.0.0.1 localhost', ...emulator.networks.default.aliases.map((alias: string) => `127.0.0.1 ${alias}`), ''].join('\n'))
  spawnSync('ip', ['netns', 'add', name])
  t.teardown(async () => {
    spawnSync('ip', ['netns', 'delete', name])
    await rm(hosts, { recursive: true, force: true })
  })
  spawnSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'])
  const data = await tempDir(t, 'mrs-compose-data-')
  const server = spawn('ip', ['netns', 'exec', name, process.execPath, SERVER, '--log-level', 'warn'], {
    env: { ...plainEnv, ...emulator.environment, MRS_EMULATOR_TLS_DIR: join(data, 'ca') },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  t.teardown(async () => {
    server.kill('SIGTERM')
    if (server.exitCode === null) await once(server, 'exit')
  })
  let out = ''
  await new Promise<void>((resolve) => server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    if (out.includes('listening on')) resolve()
  }))
  t.match(out, 'listening on http://127.0.0.1:443 and https://127.0.0.1:443')
  const [node, ...args] = tests.command as string[]
  t.equal(node, 'node')
  const run = await runCommand('ip', ['netns', 'exec', name, process.execPath, ...args],
    { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: join(data, 'ca', 'ca.pem') })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, '202 {"state":"synchronizing"}\n')
})
