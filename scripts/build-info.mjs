// Writes dist/build.json: the commit the build was made from, which `--version`, the health
// check and the dashboard show. From MRS_EMULATOR_COMMIT when set (the image's build argument,
// the release workflow), else from git when building in a checkout, else null.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'

function commit () {
  const given = process.env.MRS_EMULATOR_COMMIT
  if (given !== undefined && /^[0-9a-f]{7,40}$/.test(given)) return given
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

writeFileSync('dist/build.json', `${JSON.stringify({ commit: commit() })}\n`)
