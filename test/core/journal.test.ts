import t from 'tap'
import { toHar } from '../../src/core/har.js'
import { Journal, JOURNAL_BODY_LIMIT, RECORD_OVERHEAD, type JournalEntry, type JournalRecord } from '../../src/core/journal.js'

const record = (id: string, extra: Partial<JournalRecord> = {}): JournalRecord => ({
  request_id: id,
  time: 0,
  durationMs: 1,
  method: 'GET',
  scheme: 'http',
  path: '/x',
  operation: null,
  project_id: null,
  cluster_id: null,
  status: 200,
  error_code: null,
  fault_id: null,
  headers: {},
  body: undefined,
  responseHeaders: {},
  responseBody: '',
  ...extra
})

t.test('a journal of size 0 keeps nothing', async (t) => {
  const journal = new Journal(0)
  t.equal(journal.enabled, false)
  journal.record(record('a'))
  t.equal(journal.count(), 0)
})

t.test('sent bodies are kept to 16 KiB: text and JSON values as sent, long text and large buffers cut with their size', async (t) => {
  const journal = new Journal(10)
  const sent = (responseBody: unknown) => {
    journal.record(record('r', { responseBody }))
    return journal.entries().requests.at(-1)!.response!.body
  }
  t.equal(sent('short'), 'short')
  t.same(sent({ a: 1 }), { a: 1 }, 'a JSON value as its JSON')
  t.equal(sent(undefined), null, 'nothing noted')
  t.same(sent(Buffer.from('{"b":[2]}')), { b: [2] }, 'a buffer as its JSON')
  const long = 'é'.repeat(JOURNAL_BODY_LIMIT)
  t.equal(sent(long), `${'é'.repeat(JOURNAL_BODY_LIMIT / 2)}…[truncated: 32768 bytes in all]`, 'long text: whole characters to 16 KiB, and its size')
  t.equal(sent('é'.repeat(JOURNAL_BODY_LIMIT / 2)), 'é'.repeat(JOURNAL_BODY_LIMIT / 2), 'text of exactly 16 KiB is whole')
  t.equal(sent(Buffer.alloc(JOURNAL_BODY_LIMIT + 1, 'a')), `${'a'.repeat(JOURNAL_BODY_LIMIT)}…[truncated: ${JOURNAL_BODY_LIMIT + 1} bytes in all]`, 'a large buffer: cut')
  journal.record(record('dropped', { status: 0, responseHeaders: null, responseBody: 'never sent' }))
  t.equal(journal.entries().requests.at(-1)!.response, null, 'a dropped connection sent nothing')
})

t.test('any text round-trips: line breaks and colons in headers (an in-process request skips the parser), lone surrogates in fields', async (t) => {
  const journal = new Journal(10)
  journal.record(record('odd', { headers: { 'x-a': 'one\ntwo:three', 'a:b': 'c', 'x-n': 5 as unknown as string, 'x-list': ['p', 'q'], 'X-Upper': '', authorization: 'secret', 'x-lone': '\uDC00', 'x-none': undefined }, project_id: '\uD800', responseHeaders: { 'X-Sent': 'é\n' } }))
  journal.record(record('next', { project_id: 'p' }))
  const [odd] = journal.entries().requests
  t.same(odd!.headers, { 'x-a': 'one\ntwo:three', 'a:b': 'c', 'x-n': '5', 'x-list': 'p,q', 'x-upper': '', authorization: '[REDACTED]', 'x-lone': '\uDC00' }, 'no value: no header')
  t.same(odd!.response!.headers, { 'x-sent': 'é\n' })
  t.equal(odd!.project_id, '\uD800', 'a lone surrogate kept as it was')
  t.equal(journal.count({ project_id: '\uD800' }), 1, 'and matched by a filter')
  t.equal(journal.count({ project_id: 'p' }), 1)
  journal.clear('\uD800')
  t.same(journal.entries().requests.map((e) => e.request_id), ['next'])
})

t.test('headers from Node\'s parser are kept as lines, and read back the same', async (t) => {
  const journal = new Journal(10)
  const headers = { host: 'localhost:9336', 'content-type': 'application/json', 'x-auth-token': 'secret', 'set-cookie': ['a=1', 'b=2'], 'x-empty': '' }
  journal.record(record('parsed', { parsed: true, headers, responseHeaders: { 'X-Request-Id': 'parsed', 'Content-Length': 25 } }))
  journal.record(record('dropped', { parsed: true, headers, status: 0, responseHeaders: null }))
  const [parsed, dropped] = journal.entries().requests
  t.same(parsed!.headers, { host: 'localhost:9336', 'content-type': 'application/json', 'x-auth-token': '[REDACTED]', 'set-cookie': 'a=1,b=2', 'x-empty': '' })
  t.same(parsed!.response!.headers, { 'x-request-id': 'parsed', 'content-length': '25' })
  t.same(dropped!.headers, parsed!.headers)
  t.equal(dropped!.response, null)
})

t.test('since is the newest entry of that id (an injected generator may repeat one)', async (t) => {
  const journal = new Journal(10)
  for (const id of ['a', 'dup', 'b', 'dup', 'c']) journal.record(record(id))
  t.same(journal.entries({ since: 'dup' }).requests.map((e) => e.request_id), ['c'])
  t.same(journal.entries({ since: 'é' }).requests.map((e) => e.request_id), ['a', 'dup', 'b', 'dup', 'c'], 'an id no entry has: all')
  journal.record(record('é'))
  journal.record(record('d'))
  t.same(journal.entries({ since: 'é' }).requests.map((e) => e.request_id), ['d'], 'a non-ASCII id')
})

t.test('kept as bytes in a ring: records wrap round the arena, which grows for a large one, and keep their order and fields', async (t) => {
  const journal = new Journal(50)
  const body = (i: number) => Buffer.from(JSON.stringify({ user_names: [`user${i}`.repeat(i % 7)] }))
  for (let i = 0; i < 400; i++) {
    journal.record(record(`r${i}`, { method: i % 3 === 0 ? 'DELETE' : 'GET', project_id: i % 2 === 0 ? 'even' : 'odd', body: body(i), responseBody: `é${i}`, status: 200 + (i % 5) }))
    // Now and then, one larger than the arena so far.
    if (i === 250) journal.record(record('large', { body: Buffer.alloc(JOURNAL_BODY_LIMIT + 5, 'x'), headers: { 'x-pad': 'p'.repeat(60_000) } }))
  }
  t.equal(journal.length, 50)
  const kept = journal.entries().requests
  t.same(kept.map((e) => e.request_id), Array.from({ length: 50 }, (_, i) => `r${350 + i}`), 'the newest, oldest first')
  t.same(kept.map((e) => [e.method, e.project_id, e.status, e.body, e.response!.body]), Array.from({ length: 50 }, (_, n) => {
    const i = 350 + n
    return [i % 3 === 0 ? 'DELETE' : 'GET', i % 2 === 0 ? 'even' : 'odd', 200 + (i % 5), JSON.parse(body(i).toString()), `é${i}`]
  }), 'each field as recorded')
  t.equal(journal.count({ method: 'DELETE', project_id: 'even', status: 203 }), kept.filter((e) => e.method === 'DELETE' && e.project_id === 'even' && e.status === 203).length)
  t.equal(journal.count({ cluster_id: 'none' }), 0, 'a null field matches no filter value')

  journal.clear('even')
  t.same(journal.entries().requests.map((e) => e.request_id), kept.filter((e) => e.project_id === 'odd').map((e) => e.request_id), 'one project\'s entries dropped, the others kept in order')
  t.same(journal.entries({ since: 'r391', limit: 2 }).requests.map((e) => e.request_id), ['r397', 'r399'], 'their seqs kept: since and limit still work')
  for (let i = 0; i < 30; i++) journal.record(record(`s${i}`))
  t.equal(journal.length, 50)
  t.equal(journal.entries().requests.at(-1)!.request_id, 's29', 'recording goes on after a clear')
})

t.test('HAR entries: a dropped request, no Host, no content type, text and JSON bodies', async (t) => {
  const entry = (extra: Partial<JournalEntry>): JournalEntry => ({
    request_id: 'r',
    time: '2030-01-01T00:00:01.000Z',
    duration_ms: 1000,
    method: 'POST',
    scheme: 'http',
    path: '/v2/p/clusters/c/iam-sync-user',
    operation: null,
    project_id: null,
    cluster_id: null,
    status: 202,
    error_code: null,
    fault_id: null,
    headers: {},
    body: null,
    response: { headers: {}, body: null },
    ...extra
  })
  const har = toHar([
    entry({ status: 0, response: null, body: { a: 1 }, fault_id: 'drop' }),
    entry({ status: 599, body: 'not json', headers: { host: 'emulator.test:9336', 'content-type': 'text/plain' }, response: { headers: { 'content-type': 'application/json' }, body: { ok: true } } }),
    entry({ headers: { host: 'localhost:99999' }, path: '//evil.example/x?a=1' })
  ], '1.2.3')
  const [dropped, other, odd] = har.log.entries
  t.equal(odd!.request.url, 'http://localhost//evil.example/x?a=1', 'a Host that makes no URL gives way; the path stays a path')
  t.same(odd!.request.queryString, [{ name: 'a', value: '1' }])
  t.match(dropped, { startedDateTime: '2030-01-01T00:00:00.000Z', time: 1000, _fault_id: 'drop' })
  t.match(dropped!.request, { url: 'http://localhost/v2/p/clusters/c/iam-sync-user', postData: { mimeType: '', text: '{"a":1}' } })
  t.match(dropped!.response, { status: 0, statusText: '', headers: [], content: { size: 0, mimeType: '', text: '' }, bodySize: 0 })
  t.match(other!.request, { url: 'http://emulator.test:9336/v2/p/clusters/c/iam-sync-user', postData: { mimeType: 'text/plain', text: 'not json' } })
  t.match(other!.response, { status: 599, statusText: '', content: { text: '{"ok":true}', mimeType: 'application/json' } })
  t.same(har.log.creator, { name: 'mrs-emulator', version: '1.2.3' })
})

t.test('the journal is bounded in bytes too: each request costs its text, and past the budget the oldest go', async (t) => {
  const journal = new Journal(1000, 100_000)
  // 900 tiny headers, the probe's way to make one entry cost 190 KB as objects: here, their text.
  const headers = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`x-h${i}`, 'a']))
  journal.record(record('tiny-headers', { headers }))
  t.ok(journal.bytes < RECORD_OVERHEAD + JSON.stringify(headers).length + 200, `counted as its text: ${journal.bytes} bytes`)
  const body = Buffer.alloc(64 * 1024, 1)
  for (let i = 0; i < 20; i++) journal.record(record(`big${i}`, { body, responseBody: body }))
  t.ok(journal.bytes <= 100_000, `within the budget: ${journal.bytes}`)
  const kept = journal.entries().requests.map((e) => e.request_id)
  t.equal(kept.at(-1), 'big19', 'the newest kept')
  t.notOk(kept.includes('tiny-headers'), 'the oldest dropped')
  t.ok(kept.length < 20)
  t.match(journal.entries().requests.at(-1)!.body, /\[truncated: 65536 bytes in all\]$/, 'bodies cut to 16 KiB')

  const small = new Journal(10, 1000)
  small.record(record('larger than the budget', { headers: { 'x-pad': 'p'.repeat(2000) } }))
  t.equal(small.length, 0, 'a request larger than the whole budget is not kept')
  small.record(record('next'))
  t.same(small.entries().requests.map((e) => e.request_id), ['next'])
})

t.test('a cursor reads one entry at a time, from where the read began: later requests are not in it, dropped ones are left out', async (t) => {
  const journal = new Journal(3000)
  for (let i = 0; i < 2500; i++) journal.record(record(`r${i}`, { method: i % 2 === 0 ? 'GET' : 'POST' }))
  t.equal(journal.length, 2500)
  const cursor = journal.cursor({ method: 'POST', since: 'r2000', limit: 3 })
  t.equal(cursor.count, 250, 'matches after since, before limit')
  t.equal(cursor.next()!.request_id, 'r2495')
  journal.record(record('r2500', { method: 'POST' }))
  t.equal(cursor.next()!.request_id, 'r2497')
  t.equal(cursor.next()!.request_id, 'r2499')
  t.equal(cursor.next(), undefined, 'a request recorded after the read began is not in it')
  t.equal(cursor.next(), undefined)

  // Past the size the oldest go (the ring is compacted now and then); a read in progress skips them.
  const early = journal.cursor()
  t.equal(early.next()!.request_id, 'r0')
  for (let i = 2501; i < 3101; i++) journal.record(record(`r${i}`))
  t.equal(early.next()!.request_id, 'r101', 'entries dropped meanwhile are left out')
  for (let i = 3101; i < 6000; i++) journal.record(record(`r${i}`))
  t.equal(journal.length, 3000)
  t.equal(early.next(), undefined, 'and the read ends where the journal ended when it began')
  t.same(journal.cursor({ limit: 2 }).count, 3000)
  t.same(journal.entries({ limit: 2 }).requests.map((e) => e.request_id), ['r5998', 'r5999'])
  t.same(journal.entries({ since: 'r5997' }).requests.map((e) => e.request_id), ['r5998', 'r5999'])
  t.equal(journal.entries({ since: 'gone' }).count, 3000, 'a since no longer kept: all kept ones')
  t.equal(journal.count({ status: 404 }), 0)
  t.same(journal.cursor({ since: 'r5999' }).next(), undefined)

  journal.clear()
  t.equal(journal.bytes, 0)
  t.equal(journal.cursor().next(), undefined, 'an empty journal')
})
