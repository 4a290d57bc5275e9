import { EventEmitter } from 'node:events'
import { connect, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import t from 'tap'
import type { IncomingMessage } from 'node:http'
import type { FastifyError, FastifyRequest } from 'fastify'
import { lingerAfterAnswer } from '../../src/http/early-answers.js'
import { handleClientError } from '../../src/http/before-routing.js'
import { apiErrors, controlErrors } from '../../src/http/errors.js'
import { build } from '../helpers.js'

/** Sends raw bytes to the server and reads until it closes the connection. */
function raw (port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(data))
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => { answer += chunk })
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

function parse (answer: string) {
  const [head, body] = answer.split('\r\n\r\n') as [string, string]
  const [status, ...lines] = head.split('\r\n')
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  return { status, headers, body: JSON.parse(body) }
}

t.test('requests that never became HTTP get the gateway error body', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const malformed = parse(await raw(port, 'NOT HTTP AT ALL\r\n\r\n'))
  t.equal(malformed.status, 'HTTP/1.1 400 Bad Request')
  t.equal(malformed.headers['content-type'], 'application/json')
  t.match(malformed.headers['x-request-id'], /^[0-9a-f]{32}$/)
  t.same(malformed.body, { error_code: 'APIGW.0201', error_msg: 'API request error.', request_id: malformed.headers['x-request-id'] })

  const huge = parse(await raw(port, `GET /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`))
  t.equal(huge.status, 'HTTP/1.1 431 Request Header Fields Too Large')
  t.same(huge.body, { error_code: 'APIGW.0201', error_msg: 'Request header fields too large.', request_id: huge.headers['x-request-id'] })
})

t.test('requests for the control plane that never became HTTP get the control plane\'s body, when their request line shows it', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const huge = parse(await raw(port, `GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`))
  t.equal(huge.status, 'HTTP/1.1 431 Request Header Fields Too Large')
  t.same(huge.body, { error_code: 'EMULATOR.0431', error_msg: 'Request header fields too large: the control plane takes headers of at most 16 KiB.' })
  const absolute = parse(await raw(port, 'POST http://localhost/_emulator?x HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n'))
  t.equal(absolute.status, 'HTTP/1.1 400 Bad Request')
  t.same(absolute.body, { error_code: 'EMULATOR.0400', error_msg: 'Bad request: not a valid HTTP/1.1 request.' })
  const api = parse(await raw(port, 'POST /_emulatorx HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n'))
  t.equal(api.body.error_code, 'APIGW.0201', 'another path, though it starts the same: the gateway\'s')
  const pipelined = await raw(port, 'GET /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\n\r\nGET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n')
  t.match(pipelined, /^HTTP\/1\.1 401 [^]*HTTP\/1\.1 400 [^]*"error_code":"EMULATOR\.0400"/, 'the request that failed decides, not the one before it')
  // Pipelined behind requests with bodies, or with a request line the parser refuses: the
  // request that failed is found by walking the read request by request, bodies included.
  const afterBody = await raw(port, 'POST /_emulator/tasks/complete HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' +
    'GET /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n')
  t.match(afterBody, /"error_code":"APIGW\.0201"/, 'an API request after a control-plane request with a body: the gateway\'s')
  t.notMatch(afterBody, /EMULATOR\.0400/)
  const lowercase = await raw(port, 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\nget /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\n\r\n')
  t.match(lowercase, /^HTTP\/1\.1 200 [^]*"error_code":"APIGW\.0201"/, 'a refused method after a control-plane request: the gateway\'s')
  const chunked = await raw(port, 'DELETE /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n' +
    'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n')
  t.match(chunked, /"error_code":"EMULATOR\.0400"/, 'a control-plane request after an API request with a chunked body: the control plane\'s')
  const withLength = await raw(port, 'DELETE /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' +
    'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n')
  t.match(withLength, /"error_code":"EMULATOR\.0400"/, 'and after one with a Content-Length body')
  const badChunk = await raw(port, 'GET /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n' +
    'POST /_emulator/reset HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')
  t.match(badChunk, /"error_code":"EMULATOR\.0400"/, 'a control-plane request whose chunked body is malformed, after an API request: the control plane\'s')
})

t.test('a client error without the packet it failed on gets the gateway\'s answer', async (t) => {
  const { socket, written } = fakeSocket()
  handleClientError(Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }), socket)
  t.match(written.join(''), /"error_code":"APIGW\.0201"/)
  const other = fakeSocket()
  handleClientError(Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD', rawPacket: Buffer.from('GET /_emulator/x HTTP/1.1\r\nBad\r\n\r\n') }), other.socket)
  t.match(other.written.join(''), /"error_code":"EMULATOR\.0400"/, 'the request line the packet starts with decides')
})

/** A socket stand-in that records what is written to it. */
function fakeSocket (writable = true) {
  const written: string[] = []
  const socket = new Duplex({ write (chunk, _enc, done) { written.push(String(chunk)); done() }, read () {} })
  if (!writable) socket.destroy()
  return { socket: socket as unknown as Socket, written }
}

t.test('a request that timed out gets 408', async (t) => {
  const { socket, written } = fakeSocket()
  handleClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket)
  t.match(written.join(''), /^HTTP\/1\.1 408 Request Timeout\r\n[^]*"error_msg":"Request timeout\."/)
})

t.test('a connection that timed out without sending a byte is closed without a word', async (t) => {
  const { socket, written } = fakeSocket()
  Object.defineProperty(socket, 'bytesRead', { value: 0 })
  handleClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket)
  t.same(written, [])
  t.ok(socket.destroyed)
})

t.test('a reset or closed connection is just closed', async (t) => {
  const reset = fakeSocket()
  handleClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset.socket)
  t.same(reset.written, [])
  t.ok(reset.socket.destroyed)
  const closed = fakeSocket(false)
  handleClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), closed.socket)
  t.same(closed.written, [])
})

t.test('one answer per connection, however many parse errors follow', async (t) => {
  const { socket, written } = fakeSocket()
  handleClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), socket)
  handleClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), socket)
  t.equal(written.length, 1)
})

t.test('an answer due on the connection goes first; if it never completes, nothing follows it', async (t) => {
  const finished = fakeSocket()
  const due = Object.assign(new EventEmitter(), { req: { complete: true } })
  Object.assign(finished.socket, { _httpMessage: due })
  handleClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), finished.socket)
  handleClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), finished.socket)
  t.same(finished.written, [], 'waits for the due answer')
  Object.assign(finished.socket, { _httpMessage: null })
  due.emit('finish')
  due.emit('close')
  t.match(finished.written.join(''), /^HTTP\/1\.1 400 /, 'then answers')
  t.equal(finished.written.length, 1, 'once, however many parse errors came')

  const aborted = fakeSocket()
  const never = Object.assign(new EventEmitter(), { req: { complete: true } })
  Object.assign(aborted.socket, { _httpMessage: never })
  handleClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), aborted.socket)
  never.emit('close')
  t.same(aborted.written, [])
  t.ok(aborted.socket.destroyed, 'the connection is closed')
})

t.test('each plane names what Fastify throws in its own codes', async (t) => {
  const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(code), { code, statusCode }) as FastifyError
  const request = {} as FastifyRequest
  t.match(apiErrors(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), request), { statusCode: 413, code: 'APIGW.0201' })
  t.match(controlErrors(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), request), { statusCode: 413, code: 'EMULATOR.0413' })
  t.match(apiErrors(fastifyError('FST_ERR_ANYTHING', 400), request), { statusCode: 400, code: 'APIGW.0201' })
  t.match(controlErrors(fastifyError('FST_ERR_ANYTHING', 400), request), { statusCode: 400, code: 'EMULATOR.0400', message: 'Bad request: FST_ERR_ANYTHING' })
  t.equal(controlErrors(fastifyError('FST_ERR_BUG', 500), request), undefined, 'the unexpected is left to the handler (logged, 12000004)')
  t.equal(apiErrors(new Error('bug') as FastifyError, request), undefined)
})

t.test('a lingering close ends when the body has ended, at once if it already has', async (t) => {
  const limits = { lingerMs: 60_000, lingerBytes: 1024 }
  for (const complete of [true, false]) {
    const { socket } = fakeSocket()
    const request = Object.assign(new EventEmitter(), { socket, complete, resume: () => {} }) as unknown as IncomingMessage
    lingerAfterAnswer(request, limits)
    ;(socket as Socket & { destroySoon: () => void }).destroySoon()
    if (!complete) {
      t.notOk(socket.destroyed, 'reading the rest')
      request.emit('data', Buffer.alloc(100))
      request.emit('end')
    }
    await new Promise((resolve) => setImmediate(resolve))
    t.ok(socket.destroyed, complete ? 'complete: closed' : 'ended: closed')
  }
})

t.test('a lingering close never drops the answer: with its last bytes not yet taken, closed once they are', async (t) => {
  let release = () => {}
  const socket = new Duplex({ write (_chunk, _enc, done) { release = done }, read () {} }) as unknown as Socket
  const request = Object.assign(new EventEmitter(), { socket, complete: true, resume: () => {} }) as unknown as IncomingMessage
  lingerAfterAnswer(request, { lingerMs: 60_000, lingerBytes: 1024 })
  socket.write('HTTP/1.1 413 Payload Too Large\r\n\r\n')
  ;(socket as Socket & { destroySoon: () => void }).destroySoon()
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(socket.destroyed, 'not while the answer is still being sent')
  release()
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(socket.destroyed, 'closed once it has left')

  // The answer gone already, a body going on past lingerBytes: closed at once.
  const other = new Duplex({ write (_chunk, _enc, done) { done() }, read () {} }) as unknown as Socket
  const sending = Object.assign(new EventEmitter(), { socket: other, complete: false, resume: () => {} }) as unknown as IncomingMessage
  lingerAfterAnswer(sending, { lingerMs: 60_000, lingerBytes: 1024 })
  ;(other as Socket & { destroySoon: () => void }).destroySoon()
  await new Promise((resolve) => setImmediate(resolve))
  sending.emit('data', Buffer.alloc(1000))
  t.notOk(other.destroyed, 'reading up to lingerBytes')
  sending.emit('data', Buffer.alloc(1000))
  t.ok(other.destroyed, 'past them, closed')
})
