import { PassThrough } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import t from 'tap'
import { readBody } from '../../src/http/body.js'

// readBody's three ends, each on its own (through the network they depend on timing).
const stream = () => new PassThrough() as unknown as IncomingMessage & PassThrough

t.test('the whole body, up to the limit', async (t) => {
  const raw = stream()
  const read = readBody(raw, 10)
  raw.end(Buffer.from('{"a":1}'))
  t.same(await read, Buffer.from('{"a":1}'))
  t.equal(raw.listenerCount('close'), 0, 'its listeners removed')
})

t.test('past the limit: undefined, and the rest is left unread', async (t) => {
  const raw = stream()
  const read = readBody(raw, 4)
  raw.write(Buffer.from('12345'))
  t.equal(await read, undefined)
  t.equal(raw.listenerCount('data'), 0)
})

t.test('the client goes away before the body ends: rejected', async (t) => {
  for (const how of ['close', 'error'] as const) {
    const raw = stream()
    const read = readBody(raw, 100)
    raw.write(Buffer.from('{"a":'))
    raw.emit(how, how === 'error' ? new Error('aborted') : undefined)
    await t.rejects(read, { message: 'The client closed the connection before the body ended.' }, how)
    t.equal(raw.listenerCount('error'), 0)
  }
})
