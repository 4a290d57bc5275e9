// The release workflow's checks and edits (.github/workflows/release.yml), here so that they run,
// and are tested, outside GitHub. Run from the package's folder:
//   node scripts/release.mjs check TAG   TAG is v<package.json's version> and CHANGELOG.md has a
//                                        section for that version; prints, for $GITHUB_OUTPUT,
//                                        version=…, npm_tag=… (next for a pre-release) and
//                                        image=ghcr.io/<owner>/<name> from GITHUB_REPOSITORY
//   node scripts/release.mjs notes VERSION   that version's CHANGELOG.md section (the release's notes)
//   node scripts/release.mjs metadata    fills package.json's repository, homepage and bugs from
//                                        GITHUB_SERVER_URL and GITHUB_REPOSITORY: the repository
//                                        the workflow runs in, never a URL written into the tree
import { readFileSync, writeFileSync } from 'node:fs'

// Semantic Versioning 2.0.0's own pattern (semver.org), anchored.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/
// GitHub's owner/name: letters, digits, '-', '_' and '.'.
const REPOSITORY = /^[\w.-]+\/[\w.-]+$/

function fail (message) {
  console.error(`release: ${message}`)
  process.exit(1)
}

const readPackage = () => JSON.parse(readFileSync('package.json', 'utf8'))

function env (name) {
  const value = process.env[name]
  if (value === undefined || value === '') fail(`${name} is not set (the workflow's runner sets it)`)
  return value
}

function repository () {
  const name = env('GITHUB_REPOSITORY')
  if (!REPOSITORY.test(name)) fail(`GITHUB_REPOSITORY is not owner/name: ${JSON.stringify(name)}`)
  return name
}

/** The text of `## [VERSION] - DATE` up to the next `## ` heading, or undefined. */
function section (version) {
  const lines = readFileSync('CHANGELOG.md', 'utf8').split('\n')
  const start = lines.findIndex((line) => line.startsWith(`## [${version}] - `))
  if (start === -1) return undefined
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '))
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n').trim()
}

const [command, argument] = process.argv.slice(2)
switch (command) {
  case 'check': {
    const { version } = readPackage()
    if (!SEMVER.test(version)) fail(`package.json's version is not semantic: ${version}`)
    if (argument !== `v${version}`) fail(`the tag ${JSON.stringify(argument)} is not v${version}, package.json's version`)
    if (!section(version)) fail(`CHANGELOG.md has no section "## [${version}] - <date>" with text in it`)
    console.log(`version=${version}`)
    console.log(`npm_tag=${version.includes('-') ? 'next' : 'latest'}`)
    // Image names are lower case; GitHub's owner and repository names need not be.
    console.log(`image=ghcr.io/${repository().toLowerCase()}`)
    break
  }
  case 'notes': {
    const text = section(argument)
    if (!text) fail(`CHANGELOG.md has no section for ${argument}`)
    console.log(text)
    break
  }
  case 'metadata': {
    const home = `${env('GITHUB_SERVER_URL')}/${repository()}`
    const pkg = readPackage()
    pkg.repository = { type: 'git', url: `git+${home}.git` }
    pkg.homepage = `${home}#readme`
    pkg.bugs = { url: `${home}/issues` }
    writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`)
    console.log(`repository, homepage and bugs: ${home}`)
    break
  }
  default:
    fail('usage: node scripts/release.mjs check TAG | notes VERSION | metadata')
}
