// npm test's checks before tap: the type check and compile (tsc, which writes dist/) and the
// linter, side by side (each is one busy thread for several seconds). Each one's output is
// printed whole when it ends; the exit code is the first failure's.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
/** A package's command, as npm links it into node_modules/.bin. */
function bin (pkg, name) {
  const manifest = require.resolve(`${pkg}/package.json`)
  return join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin[name])
}
const checks = [
  ['tsc', bin('typescript', 'tsc'), []],
  ['eslint', bin('eslint', 'eslint'), ['.']]
]
const results = await Promise.all(checks.map(([name, bin, args]) => new Promise((resolve) => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk })
  child.on('error', (err) => resolve({ name, code: 1, output: `${err.message}\n` }))
  child.on('close', (code, signal) => resolve({ name, code: code ?? 1, output: signal === null ? output : `${output}${name} ended by ${signal}\n` }))
})))
for (const { output } of results) process.stdout.write(output)
const failed = results.filter(({ code }) => code !== 0)
if (failed.length !== 0) {
  console.error(`npm test: ${failed.map(({ name }) => name).join(' and ')} failed`)
  process.exitCode = failed[0].code
}
