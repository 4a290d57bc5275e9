export interface OrphanWatch {
  /** The parent to outlive: the one at start (server.ts reads it before it loads the rest). */
  parent: number
  env?: NodeJS.ProcessEnv
  /** The parent now. */
  ppid?: () => number
  /** What closes the emulator: a SIGTERM to itself, as a script's kill would have been. */
  close?: () => void
  everyMs?: number
}

/**
 * Started by npm (`npx mrs-emulator`, `npm exec`, `npm start`): a SIGTERM to npm ends npm and the
 * shell it started this in, not this process, which would keep serving the port (CI scripts run
 * `npx mrs-emulator & … kill $!`). Once its parent has gone (the process is given another), it
 * closes as on SIGTERM. Checked every quarter second, on a timer that keeps nothing alive.
 */
export function closeWhenOrphaned ({ parent, env = process.env, ppid = () => process.ppid, close = () => process.kill(process.pid, 'SIGTERM'), everyMs = 250 }: OrphanWatch): void {
  if (env.npm_execpath === undefined) return
  const watch = setInterval(() => {
    if (ppid() === parent) return
    clearInterval(watch)
    close()
  }, everyMs).unref()
}
