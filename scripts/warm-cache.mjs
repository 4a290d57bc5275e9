// Fills Node's compile cache (NODE_COMPILE_CACHE, or the system's temporary folder) with what a
// start and a first request compile: the image runs it at build time, so that a container's first
// start reads compiled code instead of compiling it. Starts the emulator on a free port, sends the
// documentation's DELETE, and stops it; Node writes the cache as the process exits.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const server = fileURLToPath(new URL('../dist/src/server.js', import.meta.url))
// The bundled fixtures' first cluster, as the documentation's example names it.
const [project] = JSON.parse(readFileSync(new URL('../fixtures/default.json', import.meta.url), 'utf8')).projects
const path = `/v2/${project.project_id}/clusters/${project.clusters[0].cluster_id}/iam-sync-user`
// The emulator runs as users run it (the bundle), whatever measures this script.
const env = { ...process.env, LOG_LEVEL: 'warn', _TAPJS_PROCESSINFO_COVERAGE_: '0' }
const child = spawn(process.execPath, [server, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'], env })
// The banner line, or nothing when the emulator exits without one.
const { value: banner = '' } = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()
const started = /listening on (http:\/\/\S+)/.exec(banner)
assert.ok(started, `the emulator did not start: ${banner}`)
const response = await fetch(`${started[1]}${path}`, {
  method: 'DELETE',
  headers: { 'content-type': 'application/json', 'x-auth-token': 'warm' },
  body: JSON.stringify({ group_names: ['groups1'], user_names: ['user1', 'user2'] })
})
await response.arrayBuffer()
child.kill('SIGTERM')
const [code] = await once(child, 'exit')
assert.equal(response.status, 202)
assert.equal(code, 0)
