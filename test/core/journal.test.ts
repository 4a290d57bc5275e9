import t from 'tap'
import { toHar } from '../../src/core/har.js'
import { Journal, JOURNAL_BODY_LIMIT, type JournalEntry, type JournalRecord } from '../../src/core/journal.js'

const record = (id: string, extra: Partial<JournalRecord> = {}): JournalRecord => ({
  request_id: id,
  time: 0,
  durationMs: 1,
  method: 'GET',
  path: '/x',
  operation: null,
  project_id: null,
  cluster_id: null,
  status: 200,
  error_code: null,
  fault_id: null,
  headers: {},
  body: undefined,
  bodySize: 0,
  responseHeaders: {},
  responseBody: '',
  ...extra
})

t.test('a journal of size 0 keeps nothing', async (t) => {
  const journal = new Journal(0)
  t.equal(journal.enabled, false)
  journal.record(record('a'))
  t.equal(journal.find().count, 0)
})

t.test('sent bodies are kept to 16 KiB: long text cut; a large buffer sent again shares its copy', async (t) => {
  const journal = new Journal(10)
  t.equal(journal.keepSent('short'), 'short')
  const value = { a: 1 }
  t.equal(journal.keepSent(value), value, 'a JSON value by reference')
  const long = 'é'.repeat(JOURNAL_BODY_LIMIT)
  t.equal((journal.keepSent(long) as Buffer).length, JOURNAL_BODY_LIMIT)
  journal.record(record('cut', { responseBody: journal.keepSent(long) }))
  t.match(journal.entries().requests[0]!.response!.body, /…\[truncated: 32768 bytes in all\]$/)
  const big = Buffer.alloc(JOURNAL_BODY_LIMIT + 1, 'a')
  const kept = journal.keepSent(big)
  t.equal((kept as Buffer).length, JOURNAL_BODY_LIMIT)
  t.equal(journal.keepSent(big), kept, 'the same copy')
  t.not(journal.keepSent(Buffer.alloc(JOURNAL_BODY_LIMIT + 1, 'b')), kept)
})

t.test('HAR entries: a dropped request, no Host, no content type, text and JSON bodies', async (t) => {
  const entry = (extra: Partial<JournalEntry>): JournalEntry => ({
    request_id: 'r',
    time: '2030-01-01T00:00:01.000Z',
    duration_ms: 1000,
    method: 'POST',
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
