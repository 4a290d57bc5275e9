import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'

/**
 * Runs every `*.test.js` under a folder (its subfolders included, in name order) in this one
 * process. Each test process pays for tap's coverage hook (~0.7 CPU-s on Node 22, where it runs
 * module loading through a loader thread), so the files of a folder of in-process tests run together; the
 * folder is listed, so a new file there runs without being named anywhere. Each file still runs
 * alone: `npx tap --disable-coverage dist/test/core/auth.test.js`. The files of a folder share
 * the process: a hook at a file's top (`t.beforeEach`), its time limit or a global it changes
 * reaches the folder's other files, so a file keeps such things inside its own tests.
 */
export async function runTogether (folder: URL): Promise<void> {
  const files = readdirSync(fileURLToPath(folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort()
  for (const file of files) {
    try {
      await import(new URL(file, folder).href)
    } catch (err) {
      // A file that does not load fails as a test of its own name; the folder's others still run.
      t.test(file, async () => { throw err })
    }
  }
  // Set last: a file's own limit (t.setTimeout at its top) is the whole process's, and the files'
  // times add up here.
  t.setTimeout(180_000)
}
