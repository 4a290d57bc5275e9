import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * The installed package's folder: one level up from `src/` when run from source,
 * two from `dist/src/` when compiled. Bundled files are found from here, whatever
 * the working directory.
 */
export const PACKAGE_ROOT = [1, 2]
  .map((levels) => resolve(here, '../'.repeat(levels)))
  .find((dir) => existsSync(join(dir, 'package.json'))) as string

export const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version

export const DEFAULT_FIXTURES = join(PACKAGE_ROOT, 'fixtures', 'default.json')

/** The dashboard's files: src/ui/, copied next to the compiled code by the build. */
export const UI_DIR = join(PACKAGE_ROOT, 'dist', 'src', 'ui')
