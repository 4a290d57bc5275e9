import t from 'tap'
import { build } from '../../helpers.js'

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
  t.match(page.body, '<script type="module" src="ui/main.js"></script>')
  for (const name of page.body.matchAll(/(?:src|href)="ui\/([\w.-]+)"/g)) {
    const file = await app.inject({ url: `/_emulator/ui/${name[1]}` })
    t.equal(file.statusCode, 200, `${name[1]}, which the page loads, is served`)
    t.match(file.headers['content-type'], name[1]!.endsWith('.css') ? 'text/css' : 'text/javascript')
    t.notOk('content-security-policy' in file.headers)
  }
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
