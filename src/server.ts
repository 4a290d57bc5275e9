#!/usr/bin/env node
// The process that started this one, read before the rest loads (a few hundred milliseconds,
// then the world): a parent gone meanwhile, such as an npx killed by a script that stopped
// waiting, is then seen as gone (orphan.ts).
const parent = process.ppid
const [{ closeWhenOrphaned }, { default: closeWithGrace }, { runCli, shutdown }] =
  await Promise.all([import('./orphan.js'), import('close-with-grace'), import('./cli.js')])

/** The process: the command, with a graceful close on SIGTERM or SIGINT once it listens. */
const { exitCode } = await runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  // Installed once listening (a failed start keeps its exit code), and before the banner that
  // scripts wait for. Past the grace, close-with-grace exits 1.
  onStart: (emulator, config) => {
    closeWithGrace({ delay: config.shutdownGraceMs }, shutdown(emulator))
    closeWhenOrphaned({ parent })
  }
})
if (exitCode !== undefined) process.exitCode = exitCode
