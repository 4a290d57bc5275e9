import { connect } from 'node:net'
import t from 'tap'
import { startServer } from './process.js'

/** Sends raw bytes on a new connection; resolves with all the server wrote once it closes or answers. */
function rawExchange (port: number, write: (socket: ReturnType<typeof connect>) => void, untilClose = true): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => write(socket))
    let data = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      data += chunk
      if (!untilClose && data.includes('\r\n\r\n')) socket.destroy()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(data))
  })
}

t.test('a real process serves 1,000 concurrent connections at once', async (t) => {
  const { url } = await startServer(t)
  const port = Number(new URL(url).port)
  const answers = await Promise.all(Array.from({ length: 1000 }, () =>
    rawExchange(port, (socket) => socket.write('GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n'), false)))
  t.equal(answers.filter((a) => a.startsWith('HTTP/1.1 200 OK')).length, 1000)
})

t.test('a real process cuts off a client that drips its headers, with 408, after 10 s', async (t) => {
  const { url } = await startServer(t)
  const port = Number(new URL(url).port)
  const started = Date.now()
  const answer = await rawExchange(port, (socket) => {
    socket.write('GET /_emulator/health HTTP/1.1\r\n')
    const drip = setInterval(() => socket.writable ? socket.write('X-Drip: a\r\n') : clearInterval(drip), 500)
    socket.on('close', () => clearInterval(drip))
  })
  t.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n[^]*"error_code":"APIGW\.0201"/)
  t.ok(Date.now() - started >= 10_000, 'not before headersTimeout')
})

t.test('a real process answers malformed HTTP and oversized headers with the gateway body', async (t) => {
  const { url } = await startServer(t)
  const port = Number(new URL(url).port)
  t.match(await rawExchange(port, (socket) => socket.write('BROKEN\r\n\r\n')), /^HTTP\/1\.1 400 Bad Request\r\n[^]*"error_code":"APIGW\.0201"/)
  t.match(await rawExchange(port, (socket) => socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`)), /^HTTP\/1\.1 431 /)
})
