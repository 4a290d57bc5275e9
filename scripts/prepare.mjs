// npm's prepare, in a checkout: tap's plugin build, then the command's build when dist/ has none
// (so that `npx mrs-emulator` works after `npm ci`; `npm start` and `npm test` always build).
// Under npx (`npm exec` installs the checkout into its cache, running this) tap's build is left
// out: it took four of npx's five seconds there, for nothing.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const run = (...args) => execFileSync(npm, args, { stdio: 'inherit', shell: process.platform === 'win32' })
if (process.env.npm_command !== 'exec') run('exec', '--no', '--', 'tap', 'build')
if (!existsSync('dist/src/server.js')) run('run', 'build')
