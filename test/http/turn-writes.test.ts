import { createServer, type RequestListener, type Server } from 'node:http'
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type AddressInfo, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { oneAtATime } from '../../src/http/pipelining.js'
import { HELD_BYTES, writeAtTurnEnd } from '../../src/http/turn-writes.js'
import { TlsMaterial } from '../../src/http/tls.js'

// The answers of a turn of the event loop are handed to the kernel at its end (turn-writes.ts).
// `bytesWritten` tells: Node counts there what it has handed to the kernel, and what its stream
// still buffers; a small answer's write is reported done at once, so it is in neither until then.

/** A server with `writeAtTurnEnd`, pipelined requests carried out one at a time as the emulator's are. */
async function serve (t: Test, handler: RequestListener): Promise<number> {
  return (await server(t, handler)).port
}

async function server (t: Test, handler: RequestListener) {
  const pipelines = oneAtATime(handler, { maxQueued: 16, maxBytes: 1 << 20 })
  const server = createServer(pipelines)
  writeAtTurnEnd(server, pipelines.waiting)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  return { server, port: (server.address() as AddressInfo).port }
}

/** What a raw client gets for `text`, until the server closes the connection (or `until` is in it). */
function exchange (port: number, text: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      got += chunk
      if (until?.test(got) === true) socket.destroy()
    })
    socket.on('close', () => resolve(got))
    socket.on('error', reject)
    socket.write(text)
  })
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`
/** Bytes handed to the kernel on a socket (nothing of ours waits in Node's stream in these tests). */
const written = (socket: Socket) => socket.bytesWritten

t.test('an answer leaves at the end of the turn it was made in, whole', async (t) => {
  const seen: Array<[number, number]> = []
  const port = await serve(t, (req, res) => {
    // A string answer is one write of its head and body; a Buffer's two (`_writev`).
    if (req.url === '/text') res.end('{"state":"synchronizing"}')
    else res.end(Buffer.from('{"state":"synchronizing"}'))
    // Node lets go of a response's socket once it is written: kept here.
    const socket = res.socket!
    const ended = written(socket)
    setImmediate(() => seen.push([ended, written(socket)]))
  })
  for (const path of ['/text', '/buffer']) {
    const answer = await exchange(port, GET(path), /synchronizing"\}$/)
    t.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{"state":"synchronizing"\}$/, `${path}: the whole answer`)
  }
  t.equal(seen.length, 2)
  for (const [ended, turnEnd] of seen) {
    t.equal(ended, 0, 'held when the response ends')
    t.ok(turnEnd > 0, 'written by the end of the turn')
  }
})

t.test('the answers of one turn leave together, each on its own connection', async (t) => {
  const ended: Socket[] = []
  const sent: number[] = []
  const { server: listener, port } = await server(t, (req, res) => {
    ended.push(res.socket!)
    res.end('ok')
    if (ended.length === 2) {
      sent.push(...ended.map(written))
      setImmediate(() => sent.push(...ended.map(written)))
    }
  })
  // Both connections are accepted, then both requests are sent in one go: the server reads
  // them in one turn.
  let accepted = 0
  const both = new Promise<void>((resolve) => listener.on('connection', () => { if (++accepted === 2) setImmediate(resolve) }))
  const sockets = [0, 1].map(() => connect(port, '127.0.0.1'))
  await both
  const answers = sockets.map((socket) => new Promise<string>((resolve) => {
    let got = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      got += chunk
      if (got.endsWith('ok')) {
        socket.destroy()
        resolve(got)
      }
    })
  }))
  for (const socket of sockets) socket.write(GET('/'))
  for (const answer of await Promise.all(answers)) t.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/)
  t.equal(sent.length, 4)
  t.same(sent.slice(0, 2), [0, 0], 'neither has left while the other was made')
  t.ok(sent[2]! > 0 && sent[3]! > 0, 'both written at the end of the turn')
})

t.test('an answer with requests pipelined behind it is written at once, so the next is carried out in the same turn', async (t) => {
  const before: number[] = []
  const after: number[] = []
  const port = await serve(t, (req, res) => {
    const socket = res.socket!
    before.push(written(socket))
    res.end(req.url)
    after.push(written(socket))
  })
  const answers = await exchange(port, GET('/1') + GET('/2') + GET('/3'), /\/3$/)
  t.same(answers.match(/\/\d$|\r\n\r\n\/\d/g)?.map((found) => found.slice(-2)), ['/1', '/2', '/3'], 'all three, in order')
  // Node's parser hands the first request over before it reads the ones behind it: nothing
  // waits yet when the first is answered. The second is answered with the third waiting.
  t.equal(after.length, 3)
  t.equal(after[0], before[0], 'the first held: nothing was known to wait behind it')
  t.ok(after[1]! > before[1]!, 'the second at once: the third waited behind it')
  t.equal(after[2], before[2], 'the last held to the end of the turn')
})

t.test('a socket destroyed with an answer held writes it first: the client gets it', async (t) => {
  const port = await serve(t, (req, res) => {
    res.end('last words')
    res.socket!.destroy()
  })
  const answer = await exchange(port, GET('/'))
  t.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nlast words$/)
})

t.test('a small answer finishes in its turn, before it is written: the request is done with', async (t) => {
  const states: Array<[string, number]> = []
  const port = await serve(t, (req, res) => {
    const socket = res.socket!
    res.on('finish', () => states.push(['finish', written(socket)]))
    res.end('small')
    setImmediate(() => states.push(['turn end', written(socket)]))
  })
  t.match(await exchange(port, GET('/'), /small$/), /\r\n\r\nsmall$/)
  t.equal(states.length, 2)
  t.same(states.map(([event]) => event), ['finish', 'turn end'], "'finish' comes in the turn")
  t.equal(states[0]![1], 0, 'finished while held')
  t.ok(states[1]![1] > 0, 'written at the end of the turn')
})

t.test('a large answer finishes once the kernel has taken it, as without holding', async (t) => {
  const large = 'x'.repeat(HELD_BYTES)
  let atFinish = -1
  const port = await serve(t, (req, res) => {
    const socket = res.socket!
    res.on('finish', () => { atFinish = written(socket) })
    res.end(large)
  })
  const answer = await exchange(port, GET('/'), new RegExp(`x{${HELD_BYTES}}$`))
  t.ok(answer.endsWith(large), 'the whole answer')
  t.ok(atFinish > HELD_BYTES, "'finish' after the write")
})

t.test('a Connection: close answer arrives whole, then the connection ends', async (t) => {
  const port = await serve(t, (req, res) => {
    res.setHeader('connection', 'close')
    res.end('goodbye')
  })
  // exchange resolves on the server's close only.
  t.match(await exchange(port, GET('/')), /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n[^]*\r\n\r\ngoodbye$/i)
})

t.test('a held write the kernel refuses (the client reset the connection) destroys the socket with its error', async (t) => {
  const clients: Socket[] = []
  const { server: listener, port } = await server(t, (req, res) => {
    res.end('too late')
    // The client resets the connection before the turn ends: the held write fails.
    clients[0]!.resetAndDestroy()
  })
  const failed = new Promise<NodeJS.ErrnoException>((resolve) => listener.on('clientError', resolve))
  const client = connect(port, '127.0.0.1')
  clients.push(client)
  client.on('error', () => {})
  client.write(GET('/'))
  const error = await failed
  t.equal(error.syscall, 'write', 'the write failed')
  t.match(error.code, /^(EPIPE|ECONNRESET)$/)
})

t.test('a TLS connection is written as Node writes it: at once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mrs-turn-tls-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const material = await TlsMaterial.open({ tls: 'auto', tlsDir: dir, stateFile: undefined, tlsCert: undefined, tlsKey: undefined })
  const handed: boolean[] = []
  const pipelines = oneAtATime((req, res) => {
    const socket = res.socket!
    const before = written(socket)
    res.write('first ')
    res.end('second')
    handed.push(written(socket) > before)
  }, { maxQueued: 16, maxBytes: 1 << 20 })
  const server = createHttpsServer(await material!.options(['localhost']), pipelines)
  // As the emulator's https port hands them over (schemes.ts): each TLS connection.
  writeAtTurnEnd({ on: (event: string, listener: (socket: Socket) => void) => server.on('secureConnection', listener) } as unknown as Server, pipelines.waiting)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as AddressInfo
  // Two requests on the connection, the second once the handshake's own writes have gone; the
  // connection closed after it.
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const get = (headers: Record<string, string> = {}) => new Promise<string>((resolve, reject) => {
    httpsRequest({ host: '127.0.0.1', port, path: '/', agent, rejectUnauthorized: false, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk }).on('end', () => resolve(text))
    }).on('error', reject).end()
  })
  t.equal(await get(), 'first second')
  t.equal(await get({ connection: 'close' }), 'first second')
  t.same(handed, [true, true], 'each answer handed to TLS when written')
})
