import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, Socket } from 'node:net'
import { setImmediate as tick } from 'node:timers/promises'
import t from 'tap'
import { LIMITS } from '../../src/core/limits.js'
import { Waiting } from '../../src/http/waiting.js'
import { AnswerBudget } from '../../src/http/large-answers.js'
import { Connections } from '../../src/http/connections.js'
import { oneAtATime, parseNothingAfterClose } from '../../src/http/pipelining.js'
import { journalOf, listening, PROJECT, rawExchange, SYNCED_CLUSTER, TOKEN, userPath } from '../helpers.js'

// Two bulky-journal tests (~30 MB of JSON a read, 32 readers that stall) take ~5 s alone and up
// to ~36 s on a busy 2-core machine: past tap's default 30 s for a file.
t.setTimeout(120_000)

/** Resolves once `condition` holds, checking at every turn of the event loop. */
async function until (condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!await condition()) await tick()
}

/** A raw connection that writes `data` and never reads what it is sent. */
function stalled (port: number, data: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.pause()
      socket.write(data, () => resolve(socket))
    })
    socket.on('error', () => {})
  })
}

t.test('a place to wait is freed when its client goes away, however many of its requests wait', async (t) => {
  const waiting = new Waiting(3)
  const socket = new Socket()
  const places = [waiting.enter(socket)!, waiting.enter(socket)!]
  t.equal(waiting.count, 2)
  t.ok(waiting.enter(socket), 'a third place')
  t.equal(waiting.enter(socket), undefined, 'no fourth')
  socket.destroy()
  await until(() => places.every((place) => place.gone.aborted))
  for (const place of places) place.leave()
  places[0]!.leave()
  t.equal(waiting.count, 1, 'each place is left once')
  const late = waiting.enter(socket)!
  t.ok(late.gone.aborted, 'a request of a connection already closed is gone at once')
})

t.test('wait_ms long polls stop waiting when their client goes away, pipelined ones too', async (t) => {
  const { app, port } = await listening(t)
  const poll = 'GET /_emulator/requests?operation=ShowSyncIamUser&wait_ms=30000 HTTP/1.1\r\nHost: localhost\r\n\r\n'
  const socket = await stalled(port, poll.repeat(5))
  const second = await stalled(port, poll)
  await until(() => app.emulator.waiting.count >= 2)
  const started = Date.now()
  socket.destroy()
  second.destroy()
  await until(() => app.emulator.waiting.count === 0)
  t.ok(Date.now() - started < 5000, 'freed at once, not after wait_ms')
})

t.test(`at most ${LIMITS.waiting.value} requests wait at once: 429 beyond, in each plane's words`, async (t) => {
  const { app, url } = await listening(t, { auth: 'off' })
  const holder = new Socket()
  t.teardown(() => holder.destroy())
  for (let i = 0; i < LIMITS.waiting.value; i++) app.emulator.waiting.enter(holder)
  const poll = await fetch(`${url}/_emulator/requests?wait_ms=100`)
  t.equal(poll.status, 429)
  t.equal(poll.headers.get('retry-after'), '1')
  t.same(await poll.json(), { error_code: 'EMULATOR.0429', error_msg: 'Too many requests waiting: at most 1,000 wait at once (journal wait_ms long polls and delay faults). Try again shortly.' })
  await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'slow', action: { delay_ms: 60_000 } }) })
  const delayed = await fetch(`${url}${userPath()}`)
  t.equal(delayed.status, 429)
  t.match(await delayed.json(), { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached.' })
  t.match((await journalOf(app)).at(-1), { status: 429, fault_id: 'slow', error_code: 'APIGW.0308' })
  t.equal((await fetch(`${url}/_emulator/requests?limit=1`)).status, 200, 'a query that does not wait is answered')
})

t.test('a request a delay fault holds is neither carried out nor answered once its client goes away', async (t) => {
  const { app, port, url } = await listening(t, { auth: 'off' })
  await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'slow', match: { operation: 'CancelSyncIamUser' }, action: { delay_ms: 600_000 } }) })
  const path = userPath(PROJECT, SYNCED_CLUSTER)
  const body = JSON.stringify({ user_names: ['analyst'] })
  const socket = await stalled(port, `DELETE ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
  await until(() => app.emulator.waiting.count === 1)
  socket.destroy()
  await until(async () => (await journalOf(app, '?operation=CancelSyncIamUser')).length === 1)
  t.match((await journalOf(app, '?operation=CancelSyncIamUser'))[0], { status: 0, fault_id: 'slow', response: null })
  t.equal(app.emulator.waiting.count, 0)
  await fetch(`${url}/_emulator/faults/slow`, { method: 'DELETE' })
  const users = await (await fetch(`${url}${path}`, { headers: TOKEN })).json() as { user_names: string[] }
  t.ok(users.user_names.includes('analyst'), 'the users are still there')
})

/** Fills the journal with requests whose bodies are control bytes, which JSON writes six times longer: each read is ~30 MB of text. */
async function bulkyJournal (app: Awaited<ReturnType<typeof listening>>['app']) {
  const body = '{"x":"' + '\u0001'.repeat(16 * 1024) + '"}'
  for (let i = 0; i < 300; i++) await app.inject({ method: 'DELETE', url: userPath(), headers: { ...TOKEN, 'content-type': 'application/json' }, payload: body })
}

const HAR_READ = 'GET /_emulator/requests.har HTTP/1.1\r\nHost: localhost\r\n\r\n'

t.test('journal reads are sent as they are taken, at most 32 at once: readers that do not read are not buffered', async (t) => {
  const { app, port, url } = await listening(t)
  await bulkyJournal(app)
  const heapBefore = process.memoryUsage().heapUsed
  const readers = await Promise.all(Array.from({ length: LIMITS.journalReads.value }, () => stalled(port, HAR_READ)))
  await until(async () => (await fetch(`${url}/_emulator/requests?limit=1`)).status === 429)
  const refused = await fetch(`${url}/_emulator/requests?limit=1`)
  t.same(await refused.json(), { error_code: 'EMULATOR.0429', error_msg: 'Too many journal reads at once: at most 32 are sent at a time. Try again shortly.' })
  t.ok(process.memoryUsage().heapUsed - heapBefore < 100 * 1024 * 1024, 'far less than 32 × 30 MB held')
  for (const socket of readers) socket.destroy()
  await until(async () => (await fetch(`${url}/_emulator/requests?limit=1`)).status === 200)
  const answer = await (await fetch(`${url}/_emulator/requests`)).json() as { count: number, requests: unknown[] }
  t.equal(answer.count, 300, 'once they go, reads are served again, whole')
  t.equal(answer.requests.length, 300)
})

t.test('a journal reader that takes nothing of its answer for stallMs is cut off', async (t) => {
  const { app, port } = await listening(t, { limits: { stallMs: 200, timeoutCheckIntervalMs: 50 } })
  await bulkyJournal(app)
  const connections = () => new Promise<number>((resolve) => app.server.getConnections((_err, count) => resolve(count)))
  const reader = await stalled(port, HAR_READ)
  await until(async () => await connections() === 1)
  await until(async () => await connections() === 0)
  let received = 0
  reader.on('data', (chunk: Buffer) => { received += chunk.length })
  const closed = new Promise((resolve) => reader.once('close', resolve))
  reader.resume()
  await closed
  const whole = Buffer.byteLength(JSON.stringify((await app.inject({ url: '/_emulator/requests.har' })).json()))
  t.ok(received < whole, `it got ${received} of ${whole} bytes`)
})

t.test(`request bodies read at once are bounded in all (${LIMITS.bodiesInFlight.value / 1024 / 1024} MiB): 429 before a byte is read beyond it, in each plane's words`, async (t) => {
  const { app, url } = await listening(t, { auth: 'off' })
  const { bodies } = app.emulator
  const full = bodies.left
  // Bodies that take all of it, still arriving.
  const holder = new EventEmitter()
  while (bodies.left > 0) t.ok(bodies.take({ headers: { 'content-length': String(Math.min(bodies.left, LIMITS.body.value)) }, socket: new Socket() } as unknown as IncomingMessage, holder as unknown as ServerResponse))
  const names = JSON.stringify({ user_names: Array.from({ length: 1000 }, (_, i) => `user-with-a-long-name-${i}`) })
  t.ok(names.length > LIMITS.headers.value)
  const big = await fetch(`${url}${userPath()}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: names })
  t.equal(big.status, 429)
  t.equal(big.headers.get('retry-after'), '1')
  t.match(await big.json(), { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached.' })
  t.match((await journalOf(app)).at(-1), { status: 429, body: null }, 'its body was never read')
  const small = await fetch(`${url}${userPath()}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: '{"user_names":["user1"]}' })
  t.equal(small.status, 202, 'a small body is not counted')
  const control = await fetch(`${url}/_emulator/state`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projects: [], padding: names }) })
  t.equal(control.status, 429)
  t.equal(control.headers.get('retry-after'), '1')
  t.same(await control.json(), { error_code: 'EMULATOR.0429', error_msg: 'Too many large bodies at once: at most 64 MiB of request bodies are read at a time. Try again shortly.' })
  await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'err', match: { operation: 'CancelSyncIamUser' }, action: { status: 500, error_code: 'X', error_msg: 'x' } }) })
  t.equal((await fetch(`${url}${userPath()}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: names })).status, 429, 'a fault rule\'s error, which reads the body whatever the credentials, too')
  await fetch(`${url}/_emulator/faults/err`, { method: 'DELETE' })

  holder.emit('close')
  t.equal(bodies.left, full, 'given back once its answer is done')
  t.equal((await fetch(`${url}${userPath()}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: names })).status, 202, 'then read and carried out')
  t.equal(bodies.left, full, 'and given back')
})

t.test(`large answers being sent at once are bounded in all (${LIMITS.answersInFlight.value / 1024 / 1024} MiB): 429 beyond, in each plane's words`, async (t) => {
  const { app, url } = await listening(t, { auth: 'off' })
  const { answers } = app.emulator
  const full = answers.left
  const holder = new EventEmitter()
  t.ok(answers.take(full, holder as unknown as ServerResponse, new Socket()))
  t.notOk(answers.take(1, holder as unknown as ServerResponse, new Socket()), 'nothing left')
  const openapi = await fetch(`${url}/_emulator/openapi.json`)
  t.equal(openapi.status, 429, 'the OpenAPI document is a large answer')
  t.equal(openapi.headers.get('retry-after'), '1')
  t.same(await openapi.json(), { error_code: 'EMULATOR.0429', error_msg: 'Too many large answers at once: at most 64 MiB of them are sent at a time. Try again shortly.' })
  t.equal((await fetch(`${url}/_emulator/state`)).status, 200, 'a small answer is not counted')
  // A world whose project list is over 64 KiB.
  const projects = Array.from({ length: 800 }, (_, i) => ({ project_id: `p${i}`, name: `cn-north-4_project-${i}`, iam: { users: [], groups: [] }, clusters: [] }))
  app.emulator.store.replace({ projects })
  const list = await fetch(`${url}/v3/projects`, { headers: TOKEN })
  t.equal(list.status, 429)
  t.match(await list.json(), { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached.' })
  t.match((await journalOf(app, '?operation=KeystoneListProjects')).at(-1), { status: 429, error_code: 'APIGW.0308' })
  t.equal((await fetch(`${url}/v3/projects?name=cn-north-4_project-1`, { headers: TOKEN })).status, 200, 'a short list is not counted')
  let made = 0
  const dumpJson = app.emulator.store.dumpJson.bind(app.emulator.store)
  app.emulator.store.dumpJson = () => {
    made++
    return dumpJson()
  }
  t.equal((await fetch(`${url}/_emulator/state`)).status, 429, 'the world is a large answer now')
  const early = await fetch(`${url}/_emulator/state`)
  t.equal(early.status, 429)
  t.equal(early.headers.get('retry-after'), '1')
  t.equal(made, 1, `once its last answer was large, it is refused before it is made (${made})`)
  holder.emit('close')
  t.equal(answers.left, full)
  const whole = await fetch(`${url}/v3/projects`, { headers: TOKEN })
  t.equal(((await whole.json()) as { projects: unknown[] }).projects.length, 800, 'once there is room, sent whole')
  t.equal((await fetch(`${url}/_emulator/state`)).status, 200)
  t.equal((await fetch(`${url}/_emulator/openapi.json`)).status, 200)
  t.equal(answers.left, full, 'and given back')
})

t.test('a reader that takes nothing of a large answer is cut off after stallMs, and holds one answer meanwhile', async (t) => {
  const { app, port } = await listening(t, { limits: { stallMs: 200, timeoutCheckIntervalMs: 50 } })
  // A world of ~6 MB: the pipelined answers are far more than the socket buffers hold.
  const synced = Array.from({ length: 90 }, (_, i) => `${'u'.repeat(58)}${i}`)
  const projects = Array.from({ length: 1000 }, (_, i) => ({ project_id: `p${i}`, iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'c', state: 'running', synced_users: synced, synced_groups: [] }] }))
  t.equal((await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { projects } })).statusCode, 200)
  const size = Buffer.byteLength((await app.inject({ url: '/_emulator/state' })).body)
  const connections = () => new Promise<number>((resolve) => app.server.getConnections((_err, count) => resolve(count)))
  const reader = await stalled(port, 'GET /_emulator/state HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(LIMITS.pipelined.value))
  let most = 0
  const held = () => {
    most = Math.max(most, LIMITS.answersInFlight.value - app.emulator.answers.left)
    return true
  }
  await until(async () => held() && await connections() === 1)
  await until(async () => held() && await connections() === 0)
  await tick()
  t.ok(most > 0 && most <= size, `one answer at a time (${most} bytes held at most, one is ${size})`)
  t.equal(LIMITS.answersInFlight.value - app.emulator.answers.left, 0, 'its share is given back')
  reader.destroy()
})

t.test('a share taken for a connection already closed is given back at once', async (t) => {
  const budget = new AnswerBudget(100)
  const socket = new Socket()
  socket.destroy()
  t.ok(budget.take(60, new EventEmitter() as unknown as ServerResponse, socket))
  t.equal(budget.left, 100)
})

t.test('pipelined requests are carried out one at a time: long polls hold one place a connection', async (t) => {
  const { app, port, url } = await listening(t)
  const poll = (operation: string) => `GET /_emulator/requests?operation=${operation}&wait_ms=30000 HTTP/1.1\r\nHost: localhost\r\n\r\n`
  const socket = await stalled(port, poll('ShowSyncIamUser') + poll('ListSyncStatus') + poll('CancelSyncIamUser'))
  let answers = ''
  socket.on('data', (chunk: Buffer) => { answers += chunk.toString('latin1') })
  socket.resume()
  await until(() => app.emulator.waiting.count === 1)
  await tick()
  t.equal(app.emulator.waiting.count, 1, 'the first waits, alone')
  await fetch(`${url}${userPath()}`, { headers: TOKEN })
  await until(() => answers.includes('ShowSyncIamUser'))
  await until(() => app.emulator.waiting.count === 1)
  t.notOk(answers.includes('ListSyncStatus'), 'then the second waits, alone')
  socket.destroy()
  await until(() => app.emulator.waiting.count === 0)
})

t.test(`a connection with more than ${LIMITS.pipelined.value} requests waiting behind the one being answered is closed`, async (t) => {
  const { port } = await listening(t)
  const health = 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n'
  const served = await rawExchange(port, health.repeat(LIMITS.pipelined.value + 1), { end: true })
  t.equal(served.split('HTTP/1.1 200 OK').length - 1, LIMITS.pipelined.value + 1, 'as many as that are answered, in order')
  const closed = await rawExchange(port, health.repeat(LIMITS.pipelined.value + 2))
  t.equal(closed, '', 'one more: closed, and nothing of it is carried out')
})

t.test('the stall sweep closes a connection once it has taken nothing of what waits for it for stallMs', async (t) => {
  const server = new EventEmitter()
  const connections = new Connections(server as unknown as Server, { silentMs: 60_000, stallMs: 100, everyMs: 60_000 })
  t.teardown(() => connections.stop())
  const socket = Object.assign(new EventEmitter(), { bytesRead: 10, writableLength: 0, _handle: { writeQueueSize: 0 }, destroyed: false, destroy () { this.destroyed = true } })
  server.emit('connection', socket)
  const at = (now: number, writableLength: number, writeQueueSize: number) => {
    socket.writableLength = writableLength
    socket._handle.writeQueueSize = writeQueueSize
    connections.sweep(now)
    return socket.destroyed
  }
  t.notOk(at(0, 0, 0), 'nothing waits')
  t.notOk(at(1000, 500, 500), 'something waits')
  t.notOk(at(1050, 900, 900), 'more waits: still nothing taken')
  t.notOk(at(1099, 900, 900))
  t.notOk(at(1150, 900, 400), 'the kernel took some of a write')
  t.notOk(at(1240, 300, 300), 'Node\'s queue shrank')
  t.notOk(at(1300, 0, 0), 'all taken')
  t.notOk(at(1310, 50, 50))
  t.notOk(at(1400, 50, 50))
  t.ok(at(1410, 50, 50), 'nothing taken for stallMs: closed')
  // One whose handle has gone (closed, its 'close' not yet emitted): what Node holds is all there is.
  const closing = Object.assign(new EventEmitter(), { bytesRead: 10, writableLength: 70, _handle: null, destroyed: false, destroy () { this.destroyed = true } })
  server.emit('connection', closing)
  connections.sweep(2000)
  connections.sweep(2100)
  t.ok(closing.destroyed)
})

t.test('what waits behind pipelined requests is bounded in bytes too, in all connections', async (t) => {
  const ran: string[] = []
  const listener = oneAtATime((req) => { ran.push(req.url!) }, { maxQueued: 2, maxBytes: 100 })
  const connection = () => {
    const socket = Object.assign(new EventEmitter(), { destroyed: false, destroy: () => {} })
    socket.destroy = () => {
      socket.destroyed = true
      socket.emit('close')
    }
    return socket
  }
  const send = (socket: ReturnType<typeof connection>, url: string, header = '', first = false) => {
    const res = Object.assign(new EventEmitter(), { socket: first ? socket : null })
    listener({ socket, url, rawHeaders: ['x', header] } as unknown as IncomingMessage, res as unknown as ServerResponse)
    return res
  }
  const a = connection()
  send(a, '/1', '', true)
  const second = send(a, '/2', 'h'.repeat(40))
  t.same(ran, ['/1'], 'one at a time: the second waits')
  second.emit('socket', a)
  t.same(ran, ['/1', '/2'], 'and runs once the first is answered')
  send(a, '/3', 'h'.repeat(60))
  const b = connection()
  send(b, '/b1', '', true)
  send(b, '/b2', 'h'.repeat(60))
  t.ok(b.destroyed, 'past the bytes waiting in all, the connection that would add more is closed')
  t.notOk(a.destroyed)
  a.destroy()
  const c = connection()
  send(c, '/c1', '', true)
  send(c, '/c2', 'h'.repeat(60))
  send(c, '/c3')
  t.notOk(c.destroyed, 'the bytes of a closed connection\'s waiting requests are given back')
  send(c, '/c4')
  t.ok(c.destroyed, 'past the requests waiting on a connection, closed')
  send(c, '/c5')
  t.same(ran, ['/1', '/2', '/b1', '/c1'], 'nothing that waited on a closed connection runs')
})

t.test('a closed connection\'s parser makes no request of the rest of its read', async (t) => {
  let seen = 0
  const server = createServer((req, res) => {
    seen++
    if (seen === 5) req.socket.destroy()
    else res.end('ok')
  })
  parseNothingAfterClose(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const { port } = server.address() as { port: number }
  await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(200))
  t.equal(seen, 5, 'the requests after the close were never parsed')
  // A read of many requests to a reader that takes its answers: every one answered, in order.
  seen = -1_000
  const answers = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(50) + 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.equal(answers.split('HTTP/1.1 200 OK').length - 1, 51)
})
