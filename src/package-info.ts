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

/** The commit the build was made from (dist/build.json, written by the build); null when unknown. */
export const COMMIT: string | null = (() => {
  const file = join(PACKAGE_ROOT, 'dist', 'build.json')
  /* c8 ignore next */ // the tests run a build, which always writes it
  if (!existsSync(file)) return null
  return (JSON.parse(readFileSync(file, 'utf8')) as { commit: string | null }).commit
})()

/** The version and the commit, as `--version` prints them: `0.2.0 (commit 3f2a…)`, or the version alone when the commit is unknown. */
export const versionLine = (version: string, commit: string | null): string => commit === null ? version : `${version} (commit ${commit})`

/** The same, short, as the dashboard shows it: `0.2.0 · commit 3f2a5b6c7d8e`. */
export const versionBadge = (version: string, commit: string | null): string =>
  `${version} · ${commit === null ? 'commit unknown' : `commit ${commit.slice(0, 12)}`}`

export const VERSION_LINE = versionLine(VERSION, COMMIT)

export const DEFAULT_FIXTURES = join(PACKAGE_ROOT, 'fixtures', 'default.json')

/** The dashboard's files: src/ui/, copied next to the compiled code by the build. */
export const UI_DIR = join(PACKAGE_ROOT, 'dist', 'src', 'ui')
