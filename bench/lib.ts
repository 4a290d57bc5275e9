import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { cpus } from 'node:os'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const EMULATOR = `${ROOT}dist/src/server.js`
export const BASELINE = `${ROOT}dist/bench/servers/baseline.js`
export const FASTIFY_HELLO = `${ROOT}dist/bench/servers/fastify-hello.js`
export const FASTIFY_ROUTE = `${ROOT}dist/bench/servers/fastify-route.js`

/** Servers run on core 0, the load generator (this process) on core 1, where there are two. */
export const PINNED = cpus().length >= 2 && existsSync('/usr/bin/taskset')
export function pinSelf (): void {
  if (PINNED) execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' })
}

export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

export interface Running { child: ChildProcess, url: string, port: number }

/** A Node.js binary the servers run on; the load generator always runs on the machine's. */
export interface NodeLine { label: string, version: string, execPath: string }

/** The Node.js line the Docker image ships (`FROM node:24-…`). */
export const IMAGE_LINE = /^FROM node:(\d+)/m.exec(readFileSync(`${ROOT}Dockerfile`, 'utf8'))![1]!

/**
 * The lines to measure: the machine's Node.js, then the Docker image's line (what most users
 * run), fetched from the npm registry as the test suite fetches other lines (`.ci/node-line`).
 * `which`: 'machine', 'image' or 'both' (the image's only once when the machine runs that line).
 */
export function nodeLines (which = 'both'): NodeLine[] {
  if (!['machine', 'image', 'both'].includes(which)) throw new Error(`--node ${which}: machine, image or both`)
  const machine: NodeLine = { label: 'this machine\'s', version: process.version, execPath: process.execPath }
  if (which === 'machine') return [machine]
  const own = process.versions.node.split('.')[0] === IMAGE_LINE
  if (own) return [{ ...machine, label: 'the machine\'s and the Docker image\'s' }]
  const dir = execFileSync(`${ROOT}.ci/node-line`, [IMAGE_LINE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
  const execPath = `${dir}/node`
  const image: NodeLine = { label: 'the Docker image\'s', version: execFileSync(execPath, ['--version'], { encoding: 'utf8' }).trim(), execPath }
  return which === 'image' ? [image] : [machine, image]
}

/**
 * Spawns a server script on core 0 with a known port; resolves once `probe` answers (over
 * http; a server of https only, the TLS baseline, once its port takes a connection). `url` is
 * the scheme's: the emulator answers both on one port.
 */
export async function spawnServer (script: string, args: string[], env: Record<string, string> = {}, probe: string | null = '/_emulator/health', node = process.execPath, scheme: 'http' | 'https' = 'http'): Promise<Running & { startedAt: bigint }> {
  const port = await freePort()
  const command = PINNED ? 'taskset' : node
  const argv = PINNED ? ['-c', '0', node, script, ...args] : [script, ...args]
  const startedAt = process.hrtime.bigint()
  const child = spawn(command, argv, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
  if (probe === null) await listening(port, child)
  else await waitFor(`http://127.0.0.1:${port}${probe}`, child)
  return { child, url: `${scheme}://127.0.0.1:${port}`, port, startedAt }
}

/** Resolves once the port takes a connection. */
async function listening (port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`port ${port}: the server exited with ${child.exitCode}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true) })
      socket.on('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export async function waitFor (url: string, child: ChildProcess, init?: RequestInit, ok = (status: number) => status < 500): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`)
    try {
      const res = await fetch(url, init)
      await res.arrayBuffer()
      if (ok(res.status)) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** Resident set size of a process, in MiB. */
export function rssMiB (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!
  return Number(/(\d+)/.exec(line)![1]) / 1024
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
