import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout } from 'node:timers/promises'
import t from 'tap'
import { tempDir } from '../helpers.js'
import { PACKAGE_ROOT } from '../../src/package-info.js'
import { plainEnv } from './process.js'

/*
 * The real npx, as CI scripts use it: `npx mrs-emulator & … kill $!`. A SIGTERM to npx ends npx
 * and its shell, not their child; the emulator, started by npm, sees its parent go and closes.
 * (server.test.ts drives the same watch directly, for its coverage.) npx installs the checkout
 * into an empty cache first, which takes seconds: this file's own time limit.
 */
t.setTimeout(120_000)

/** The processes below `pid`, from ps. */
function descendants (pid: number): number[] {
  const parents = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number])
  const found: number[] = []
  for (let i = -1; i < found.length; i++) {
    const parent = i === -1 ? pid : found[i]
    for (const [child, ppid] of parents) if (ppid === parent) found.push(child)
  }
  return found
}

/** Whether a process runs (a zombie waiting for its new parent to reap it has exited). */
function alive (pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

t.test('`npx mrs-emulator & … kill $!`, as CI scripts do it, with the real npx: no process is left and the port is free', async (t) => {
  // An empty npm cache, as on a fresh machine.
  const cache = await tempDir(t, 'mrs-npx-')
  const npx = spawn('npx', ['--no-install', 'mrs-emulator', '--port', '0', '--log-level', 'warn'], {
    cwd: PACKAGE_ROOT,
    // npm's processes and the lifecycle scripts it runs (prepare) are not what this covers.
    env: { ...plainEnv, npm_config_cache: cache, npm_config_update_notifier: 'false', _TAPJS_PROCESSINFO_COVERAGE_: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true
  })
  t.teardown(() => {
    try {
      process.kill(-npx.pid!, 'SIGKILL')
    } catch {
      // the group is gone
    }
  })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    npx.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const match = /listening on (\S+)/.exec(out)
      if (match !== null) resolve(match[1]!)
    })
    npx.on('exit', (code) => reject(new Error(`npx exited (${code}) before the emulator listened: ${out}`)))
  })
  t.equal((await fetch(`${url}/_emulator/health`)).status, 200)
  const family = descendants(npx.pid!)
  t.ok(family.length >= 1, 'npx started the emulator below itself')
  // kill $!: a SIGTERM to npx alone.
  npx.kill('SIGTERM')
  while (family.some(alive)) await setTimeout(50)
  t.pass('no process of it is left')
  await t.rejects(fetch(`${url}/_emulator/health`), 'the port is free')
})
