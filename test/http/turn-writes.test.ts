import { createServer, type RequestListener } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { oneAtATime } from '../../src/http/pipelining.js'
import { writeAtTurnEnd } from '../../src/http/turn-writes.js'

// The answers of a turn of the event loop are handed to the kernel at its end (turn-writes.ts).
// `writableLength` tells: Node counts a write until the kernel has taken it, and a small write
// to a connected socket is taken at once.

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
/** Bytes Node still counts as unwritten on a socket. */
const unwritten = (socket: Socket) => socket.writableLength

t.test('an answer leaves at the end of the turn it was made in, whole', async (t) => {
  const seen: Array<[number, number]> = []
  const port = await serve(t, (req, res) => {
    // A string answer is one write of its head and body; a Buffer's two (`_writev`).
    if (req.url === '/text') res.end('{"state":"synchronizing"}')
    else res.end(Buffer.from('{"state":"synchronizing"}'))
    // Node lets go of a response's socket once it is written: kept here.
    const socket = res.socket!
    const ended = unwritten(socket)
    setImmediate(() => seen.push([ended, unwritten(socket)]))
  })
  for (const path of ['/text', '/buffer']) {
    const answer = await exchange(port, GET(path), /synchronizing"\}$/)
    t.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{"state":"synchronizing"\}$/, `${path}: the whole answer`)
  }
  t.equal(seen.length, 2)
  for (const [ended, turnEnd] of seen) {
    t.ok(ended > 0, 'held when the response ends')
    t.equal(turnEnd, 0, 'written by the end of the turn')
  }
})

t.test('the answers of one turn leave together, each on its own connection', async (t) => {
  const ended: Socket[] = []
  const written: number[] = []
  const { server: listener, port } = await server(t, (req, res) => {
    ended.push(res.socket!)
    res.end('ok')
    if (ended.length === 2) {
      written.push(...ended.map(unwritten))
      setImmediate(() => written.push(...ended.map(unwritten)))
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
  t.equal(written.length, 4)
  t.ok(written[0]! > 0 && written[1]! > 0, 'neither has left while the other was made')
  t.same(written.slice(2), [0, 0], 'both written at the end of the turn')
})

t.test('an answer with requests pipelined behind it is written at once, so the next is carried out in the same turn', async (t) => {
  const unwrittenAtEnd: number[] = []
  const port = await serve(t, (req, res) => {
    const socket = res.socket!
    res.end(req.url)
    unwrittenAtEnd.push(unwritten(socket))
  })
  const answers = await exchange(port, GET('/1') + GET('/2') + GET('/3'), /\/3$/)
  t.same(answers.match(/\/\d$|\r\n\r\n\/\d/g)?.map((found) => found.slice(-2)), ['/1', '/2', '/3'], 'all three, in order')
  // Node's parser hands the first request over before it reads the ones behind it: nothing
  // waits yet when the first is answered. The second is answered with the third waiting.
  t.equal(unwrittenAtEnd.length, 3)
  t.ok(unwrittenAtEnd[0]! > 0, 'the first held: nothing was known to wait behind it')
  t.equal(unwrittenAtEnd[1], 0, 'the second at once: the third waited behind it')
  t.ok(unwrittenAtEnd[2]! > 0, 'the last at the end of the turn')
})

t.test('a socket destroyed with an answer held writes it first: the client gets it', async (t) => {
  const port = await serve(t, (req, res) => {
    res.end('last words')
    res.socket!.destroy()
  })
  const answer = await exchange(port, GET('/'))
  t.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nlast words$/)
})
