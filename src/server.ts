#!/usr/bin/env node
import closeWithGrace from 'close-with-grace'
import { runCli, shutdown } from './cli.js'

/** The process: the command, with a graceful close on SIGTERM or SIGINT once it listens. */
const { exitCode } = await runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  // Installed once listening (a failed start keeps its exit code), and before the banner that
  // scripts wait for. Past the grace, close-with-grace exits 1.
  onStart: (emulator, config) => closeWithGrace({ delay: config.shutdownGraceMs }, shutdown(emulator))
})
if (exitCode !== undefined) process.exitCode = exitCode
