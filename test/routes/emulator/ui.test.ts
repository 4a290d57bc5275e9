import { execFileSync } from 'node:child_process'
import t from 'tap'
import { build } from '../../helpers.js'
import { OPERATIONS } from '../../../src/core/api-schema.js'
import { LIMITS } from '../../../src/core/limits.js'
import { VERSION } from '../../../src/package-info.js'

t.test('GET /_emulator/ui: the page and its files, from memory, open without the admin token', async (t) => {
  const app = await build(t, { adminToken: 'secret' })
  const page = await app.inject({ url: '/_emulator/ui' })
  t.equal(page.statusCode, 200)
  t.match(page.headers, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': /default-src 'none'; script-src 'self'/,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
    etag: /^"[\w-]{22}"$/,
    'x-request-id': /^[0-9a-f]{32}$/
  })
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
  t.match(page.body, `<h1>mrs-emulator <span id="version">${VERSION} · commit ${head.slice(0, 12)}</span></h1>`, 'what runs: the version and the commit')
  const buildId = /<script type="module" src="ui\/([0-9a-f]{12})\/main\.js"><\/script>/.exec(page.body)![1]!
  const names = [...page.body.matchAll(/(?:src|href)="ui\/[0-9a-f]{12}\/([\w.-]+)"/g)].map((m) => m[1]!)
  t.ok(names.length >= 8, 'the page names its files under their build')
  for (const name of names) {
    const file = await app.inject({ url: `/_emulator/ui/${buildId}/${name}` })
    t.equal(file.statusCode, 200, `${name}, which the page loads, is served`)
    t.match(file.headers, { 'content-type': name.endsWith('.css') ? 'text/css' : 'text/javascript', 'cache-control': 'max-age=31536000, immutable' })
    t.notOk('content-security-policy' in file.headers)
  }
  t.match((await app.inject({ url: '/_emulator/ui/0123456789ab/main.js' })).headers, { 'cache-control': 'no-cache' }, 'another build\'s name: today\'s file, not kept')
  t.match((await app.inject({ url: '/_emulator/ui/main.js' })).headers, { 'cache-control': 'no-cache' }, 'and without one')
  t.equal((await app.inject({ url: `/_emulator/ui/${buildId}/index.html` })).statusCode, 404)
  t.equal((await app.inject({ url: `/_emulator/ui/${buildId}/nope.js` })).statusCode, 404)
  const again = await app.inject({ url: '/_emulator/ui', headers: { 'if-none-match': page.headers.etag as string } })
  t.equal(again.statusCode, 304, 'unchanged: not sent again')
  t.equal(again.body, '')
  for (const url of ['/_emulator/ui/', '/_emulator/ui/index.html']) {
    const moved = await app.inject({ url })
    t.equal(moved.statusCode, 301, url)
    t.equal(moved.headers.location, '/_emulator/ui', 'to the page, whose files are relative to it')
  }
  const missing = await app.inject({ url: '/_emulator/ui/nope.js' })
  t.same(missing.json(), { error_code: 'EMULATOR.0404', error_msg: 'No dashboard file nope.js.' })
  t.equal((await app.inject({ url: '/_emulator/ui/..%2Fpackage.json' })).statusCode, 404, 'only the page\'s own files')
  t.equal((await app.inject({ url: '/_emulator/state' })).statusCode, 401, 'the data still needs the token')
  t.equal((await app.inject({ url: '/_emulator/ui', headers: { origin: 'http://evil.test' } })).statusCode, 403, 'the browser rules apply')
})

t.test("the fault form's choices and limits come from the emulator's schemas (bounds.js)", async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/_emulator/ui/bounds.js' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/javascript; charset=utf-8')
  const bounds = JSON.parse(/export default (.*)\n/.exec(res.body)![1]!)
  t.same(bounds.operations, OPERATIONS)
  t.same(bounds, {
    operations: OPERATIONS,
    faultId: { pattern: '[A-Za-z0-9_\\-]+', maxLength: 64, rule: 'A rule id is 1 to 64 letters, digits, underscores or hyphens.' },
    status: { min: 400, max: 599 },
    errorCodeMaxLength: LIMITS.faultErrorCode.value,
    errorMsgMaxLength: LIMITS.faultErrorMsg.value,
    delayMax: LIMITS.faultDelay.value,
    defaultError: { code: '12000004', message: 'Internal server error.' },
    tokenRequiredCode: 'EMULATOR.0401',
    journalWaitMs: LIMITS.journalWait.value - 5000
  })
  t.ok(new RegExp(`^${bounds.faultId.pattern}$`, 'v').test('rule-1_a'), 'a pattern the page can use')
})
