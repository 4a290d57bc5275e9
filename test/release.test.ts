import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { PACKAGE_ROOT } from '../src/package-info.js'
import { tempDir } from './helpers.js'
import { runCommand } from './e2e/process.js'

/*
 * scripts/release.mjs, which the release workflow runs: checks the tag against package.json and
 * CHANGELOG.md, prints the notes, names the package's links after the repository it runs in.
 */
const SCRIPT = join(PACKAGE_ROOT, 'scripts', 'release.mjs')
const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
const GITHUB = { GITHUB_REPOSITORY: 'Some-Owner/mrs-emulator', GITHUB_SERVER_URL: 'https://github.com' }

/** A folder with a package.json of `version` and a changelog with `sections`. */
async function project (t: Test, version: string, sections: string) {
  const dir = await tempDir(t, 'mrs-release-')
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'mrs-emulator', version }, null, 2)}\n`)
  await writeFile(join(dir, 'CHANGELOG.md'), `# Changelog\n\n## [Unreleased]\n\n${sections}`)
  return dir
}

// runCommand has no cwd: the script reads its files from process.cwd(), so it is run through a shell.
const inDir = (dir: string, args: string[], env: Record<string, string> = {}) =>
  runCommand('sh', ['-c', 'cd "$0" && exec "$@"', dir, process.execPath, SCRIPT, ...args], { PATH: process.env.PATH, ...env })

t.test('this tree can be released: its version has a CHANGELOG.md section', async (t) => {
  const dir = await tempDir(t, 'mrs-release-')
  for (const file of ['package.json', 'CHANGELOG.md']) await copyFile(join(PACKAGE_ROOT, file), join(dir, file))
  const { code, stdout, stderr } = await inDir(dir, ['check', `v${pkg.version}`], GITHUB)
  t.equal(code, 0, stderr)
  t.equal(stdout, `version=${pkg.version}\nnpm_tag=latest\nimage=ghcr.io/some-owner/mrs-emulator\n`, 'the image name in lower case')
})

t.test('check refuses a tag, a version or a changelog that do not agree', async (t) => {
  const dir = await project(t, '1.2.0', '## [1.2.0] - 2026-12-07\n\n### Added\n\n- Something.\n\n## [1.1.0] - 2026-12-01\n\n- Before.\n')
  const wrongTag = await inDir(dir, ['check', 'v1.2.1'], GITHUB)
  t.equal(wrongTag.code, 1)
  t.match(wrongTag.stderr, 'the tag "v1.2.1" is not v1.2.0')
  t.equal((await inDir(dir, ['check', '1.2.0'], GITHUB)).code, 1, 'the v is part of the tag')
  t.match((await inDir(dir, ['check', 'v1.2.0'])).stderr, 'GITHUB_REPOSITORY is not set')
  t.match((await inDir(dir, ['check', 'v1.2.0'], { ...GITHUB, GITHUB_REPOSITORY: 'no-slash' })).stderr, 'GITHUB_REPOSITORY is not owner/name')

  const unreleased = await project(t, '1.3.0', '- Only unreleased things.\n\n## [1.2.0] - 2026-12-07\n\n- Something.\n')
  t.match((await inDir(unreleased, ['check', 'v1.3.0'], GITHUB)).stderr, 'CHANGELOG.md has no section "## [1.3.0] - <date>"')
  const empty = await project(t, '1.3.0', '## [1.3.0] - 2026-12-08\n\n## [1.2.0] - 2026-12-07\n\n- Something.\n')
  t.equal((await inDir(empty, ['check', 'v1.3.0'], GITHUB)).code, 1, 'an empty section is no release')
  const loose = await project(t, '1.3', '## [1.3] - 2026-12-08\n\n- Something.\n')
  t.match((await inDir(loose, ['check', 'v1.3'], GITHUB)).stderr, "package.json's version is not semantic: 1.3")

  const pre = await project(t, '2.0.0-rc.1', '## [2.0.0-rc.1] - 2026-12-09\n\n- Almost.\n')
  const { code, stdout } = await inDir(pre, ['check', 'v2.0.0-rc.1'], GITHUB)
  t.equal(code, 0)
  t.match(stdout, 'npm_tag=next\n', 'a pre-release is not latest')
})

t.test("notes prints the version's section, up to the next one", async (t) => {
  const dir = await project(t, '1.2.0', '## [1.2.0] - 2026-12-07\n\n### Added\n\n- Something.\n\n## [1.1.0] - 2026-12-01\n\n- Before.\n')
  t.same(await inDir(dir, ['notes', '1.2.0']), { code: 0, stdout: '### Added\n\n- Something.\n', stderr: '' })
  t.same(await inDir(dir, ['notes', '1.1.0']), { code: 0, stdout: '- Before.\n', stderr: '' }, 'the last section runs to the end')
  t.equal((await inDir(dir, ['notes', '9.9.9'])).code, 1)
})

t.test('metadata names the repository, homepage and bugs after the repository the workflow runs in', async (t) => {
  const dir = await project(t, '1.2.0', '')
  t.equal((await inDir(dir, ['metadata'], { GITHUB_REPOSITORY: 'Some-Owner/mrs-emulator' })).code, 1, 'GITHUB_SERVER_URL is needed')
  const { code, stdout } = await inDir(dir, ['metadata'], GITHUB)
  t.equal(code, 0)
  t.equal(stdout, 'repository, homepage and bugs: https://github.com/Some-Owner/mrs-emulator\n')
  t.same(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')), {
    name: 'mrs-emulator',
    version: '1.2.0',
    repository: { type: 'git', url: 'git+https://github.com/Some-Owner/mrs-emulator.git' },
    homepage: 'https://github.com/Some-Owner/mrs-emulator#readme',
    bugs: { url: 'https://github.com/Some-Owner/mrs-emulator/issues' }
  })
  t.match((await inDir(dir, ['publish'])).stderr, 'usage: node scripts/release.mjs check TAG | notes VERSION | metadata')
})
