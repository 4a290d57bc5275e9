import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'

/**
 * Runs every `*.test.js` under a folder (its subfolders included, in name order) in this one
 * process. Each test process pays for tap's coverage hook (~0.7 CPU-s on Node 22, where it runs
 * module loading through a loader thread), so the files of a folder of in-process tests run together; the
 * folder is listed, so a new file there runs without being named anywhere. Each file still runs
 * alone: `npx tap dist/test/core/auth.test.js`.
 */
export async function runTogether (folder: URL): Promise<void> {
  const files = readdirSync(fileURLToPath(folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort()
  for (const file of files) await import(new URL(file, folder).href)
  // Set last: a file's own limit (t.setTimeout at its top) is the whole process's, and the files'
  // times add up here.
  t.setTimeout(180_000)
}
