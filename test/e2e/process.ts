import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { PACKAGE_ROOT } from '../../src/package-info.js'

/** The compiled CLI: `npm test` builds it first. */
export const SERVER = join(PACKAGE_ROOT, 'dist', 'src', 'server.js')

export interface Running { url: string, child: ChildProcess, stdout: () => string, stderr: () => string }

/**
 * The environment for processes whose coverage adds nothing: without tap's options and Node's
 * coverage variable, and with `_TAPJS_PROCESSINFO_COVERAGE_` '0'. tap puts its process-tracking
 * hook back into every process a test starts, and that hook collects coverage, which the report
 * counts, unless that variable is '0'. Without coverage the emulator runs as users run it, its
 * build's bundle (server.ts): a start and a stop take ~0.35 CPU-s instead of ~1.5 (the modules,
 * loaded through the hook's loader, and their coverage written).
 */
const { NODE_OPTIONS: _hooks, NODE_V8_COVERAGE: _coverage, ...inherited } = process.env
const plainEnv: NodeJS.ProcessEnv = { ...inherited, _TAPJS_PROCESSINFO_COVERAGE_: '0' }
export { plainEnv }

/**
 * The environment without npm's mark: the process runs as `node dist/src/server.js` does from a
 * shell (under `npm test` every child would otherwise look started by npm, which watches its parent).
 */
export function notByNpm (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { npm_execpath: _npm, ...rest } = env
  return rest
}

export interface ServerOptions {
  /** Collect the process's coverage. Default true. */
  coverage?: boolean
}

/** Starts the real emulator process on a free port and waits for the URL it prints. */
export async function startServer (t: Test, args: string[] = [], env: Record<string, string> = {}, { coverage = true }: ServerOptions = {}): Promise<Running> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build (npm test does)`)
  const child = spawn(process.execPath, [SERVER, '--port', '0', '--log-level', 'warn', ...args], {
    env: { ...notByNpm(coverage ? process.env : plainEnv), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  let stdout = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const match = /listening on (http:\/\/\S+)/.exec(stdout)
      if (match !== null) resolve(match[1]!)
    })
    child.on('exit', (code) => reject(new Error(`the emulator exited with ${code}: ${stderr}`)))
  })
  return { url, child, stdout: () => stdout, stderr: () => stderr }
}

/** Runs the CLI to its end: exit code and output. */
export function runServer (args: string[], env: Record<string, string> = {}) {
  return runCommand(process.execPath, [SERVER, ...args], { ...process.env, ...env })
}

/** Runs a command to its end: exit code and output. */
export async function runCommand (command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  // 'close', not 'exit': the output may still be arriving when the process exits.
  const [code] = await once(child, 'close') as [number]
  return { code, stdout, stderr }
}
