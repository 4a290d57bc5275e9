import closeWithGrace from 'close-with-grace'
import { runCli, shutdown } from './cli.js'
import { closeWhenOrphaned } from './orphan.js'

/**
 * The process: the command, with a graceful close on SIGTERM or SIGINT once it listens.
 * `parent` is the process that started this one, read by server.ts before anything loaded.
 */
export async function main (parent: number): Promise<void> {
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
}
