#!/usr/bin/env node
import closeWithGrace from 'close-with-grace'
import { runCli, shutdown } from './cli.js'

/**
 * Started by npm (`npx mrs-emulator`, `npm exec`, `npm start`): a SIGTERM to npm ends npm and the
 * shell it started this in, not this process, which would keep serving the port (CI scripts run
 * `npx mrs-emulator & … kill $!`). Once its parent has gone (the process is given another), it
 * closes as on SIGTERM. Checked every quarter second, on a timer that keeps nothing alive.
 */
function closeWhenOrphaned (): void {
  if (process.env.npm_execpath === undefined) return
  const parent = process.ppid
  const watch = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(watch)
    process.kill(process.pid, 'SIGTERM')
  }, 250).unref()
}

/** The process: the command, with a graceful close on SIGTERM or SIGINT once it listens. */
const { exitCode } = await runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  // Installed once listening (a failed start keeps its exit code), and before the banner that
  // scripts wait for. Past the grace, close-with-grace exits 1.
  onStart: (emulator, config) => {
    closeWithGrace({ delay: config.shutdownGraceMs }, shutdown(emulator))
    closeWhenOrphaned()
  }
})
if (exitCode !== undefined) process.exitCode = exitCode
