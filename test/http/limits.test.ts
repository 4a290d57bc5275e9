import { connect, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { buildApp, DEFAULT_LIMITS, MAX_HEADER_SIZE } from '../../src/app.js'
import { startEmulator } from '../../src/start.js'

/** A raw connection that collects what the server writes and notes when it closes the connection. */
function open (port: number) {
  const socket = connect(port, '127.0.0.1')
  const state = { data: '', closed: false }
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => { state.data += chunk })
  socket.on('close', () => { state.closed = true })
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()))
  const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()))
  return { socket, state, closed, connected, answered }
}

const health = 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n'
// Timeouts of tens of milliseconds, checked every 10 ms: the server's behaviour at the edge, fast.
const startWith = async (t: Test, limits: object) => {
  const emulator = await startEmulator({ limits: { timeoutCheckIntervalMs: 10, ...limits } })
  t.teardown(() => emulator.close())
  return Number(new URL(emulator.url).port)
}

t.test('the server runs with the documented limits unless told otherwise', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  t.same(DEFAULT_LIMITS, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 4096, timeoutCheckIntervalMs: 1000, lingerMs: 5000, lingerBytes: 64 * 1024 * 1024, stallMs: 30_000 })
  const { headersTimeout, requestTimeout, keepAliveTimeout, maxConnections, connectionsCheckingInterval } = app.server as typeof app.server & { connectionsCheckingInterval: number }
  t.same({ headersTimeout, requestTimeout, keepAliveTimeout, maxConnections, connectionsCheckingInterval }, { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxConnections: 4096, connectionsCheckingInterval: 1000 })
  t.equal(MAX_HEADER_SIZE, 16 * 1024)
})

t.test('a client that drips its headers is cut off with 408 after headersTimeout', async (t) => {
  const port = await startWith(t, { headersTimeoutMs: 100 })
  const { socket, state, closed, connected } = open(port)
  await connected
  const started = Date.now()
  socket.write('GET /_emulator/health HTTP/1.1\r\n')
  const drip = setInterval(() => { if (!state.closed) socket.write('X-Drip: a\r\n') }, 20)
  await closed
  clearInterval(drip)
  t.ok(Date.now() - started >= 100, 'not before headersTimeout')
  t.match(state.data, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  t.match(state.data, /"error_code":"APIGW\.0201","error_msg":"Request timeout\."/)
})

t.test('a connection that never sends a byte is closed after headersTimeout', async (t) => {
  const port = await startWith(t, { headersTimeoutMs: 100 })
  const { state, closed, connected } = open(port)
  await connected
  const started = Date.now()
  await closed
  t.ok(Date.now() - started >= 90, 'not before headersTimeout')
  t.equal(state.data, '', 'closed without a word: there is no request to answer')
})

t.test('a client that drips its body is cut off after requestTimeout', async (t) => {
  const port = await startWith(t, { headersTimeoutMs: 50, requestTimeoutMs: 100 })
  const { socket, state, closed, connected } = open(port)
  await connected
  socket.write('DELETE /v2/p/clusters/c/iam-sync-user HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{')
  const drip = setInterval(() => { if (!state.closed) socket.write(' ') }, 10)
  await closed
  clearInterval(drip)
  t.match(state.data, /^HTTP\/1\.1 408 /)
})

t.test('an idle keep-alive connection is closed after keepAliveTimeout', async (t) => {
  const port = await startWith(t, { keepAliveTimeoutMs: 50 })
  const { socket, state, closed, connected } = open(port)
  await connected
  socket.write(health)
  await closed
  t.match(state.data, /^HTTP\/1\.1 200 OK\r\n/, 'answered, then closed when idle')
})

t.test('connections past maxConnections are closed at once; the others are served', async (t) => {
  const port = await startWith(t, { maxConnections: 5 })
  const held = Array.from({ length: 5 }, () => open(port))
  await Promise.all(held.map((c) => c.connected))
  for (const c of held) c.socket.write(health)
  await Promise.all(held.map((c) => c.answered))
  const extra = open(port)
  await extra.closed
  t.equal(extra.state.data, '', 'the extra connection got nothing')
  t.ok(held.every((c) => c.state.data.startsWith('HTTP/1.1 200 OK') && !c.state.closed), 'the first five were served and stay open')
  for (const c of held) (c.socket as Socket).destroy()
})
