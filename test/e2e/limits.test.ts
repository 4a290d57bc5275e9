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

// One real process for the file: what a process's own sockets and parser do at the edges. The
// timeouts themselves are tested at milliseconds in test/http/limits.test.ts.
const { url } = await startServer(t, [], {}, { coverage: false })
const port = Number(new URL(url).port)

t.test('a real process serves 1,000 concurrent connections at once', async (t) => {
  const answers = await Promise.all(Array.from({ length: 1000 }, () =>
    rawExchange(port, (socket) => socket.write('GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n'), false)))
  t.equal(answers.filter((a) => a.startsWith('HTTP/1.1 200 OK')).length, 1000)
})

t.test('a real process answers malformed HTTP and oversized headers with the gateway body', async (t) => {
  t.match(await rawExchange(port, (socket) => socket.write('BROKEN\r\n\r\n')), /^HTTP\/1\.1 400 Bad Request\r\n[^]*"error_code":"APIGW\.0201"/)
  t.match(await rawExchange(port, (socket) => socket.write(`GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`)), /^HTTP\/1\.1 431 /)
})
