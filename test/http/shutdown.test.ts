import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { setImmediate as tick } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { startEmulator } from '../../src/start.js'
import { CLUSTER, PROJECT, stateFilePath } from '../helpers.js'

const IN_FLIGHT = 10
const tempFile = (t: Test) => stateFilePath(t, 'mrs-close-')
const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** Connects; resolves with 'connected' or the error code. */
const tryConnect = (port: number) => new Promise<string>((resolve) => {
  const socket = connect(port, '127.0.0.1')
  socket.on('connect', () => { socket.destroy(); resolve('connected') })
  socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code!))
})

t.test('closing lets in-flight requests finish, answers 503 on open connections, refuses new ones and writes the state file', async (t) => {
  const file = await tempFile(t)
  // Delay faults wait on this gate: the requests stay in flight until the test opens it.
  let open!: () => void
  const gate = new Promise<void>((resolve) => { open = resolve })
  let waiting = 0
  let allWaiting!: () => void
  const inFlight = new Promise<void>((resolve) => { allWaiting = resolve })
  const emulator = await startEmulator({ stateFile: file, auth: 'off', sleep: async () => { if (++waiting === IN_FLIGHT) allWaiting(); await gate } })
  const { url } = emulator
  const port = Number(new URL(url).port)
  await fetch(`${url}/_emulator/projects/${PROJECT}/clusters/${CLUSTER}`,
    json('PUT', { state: 'running', synced_users: Array.from({ length: IN_FLIGHT }, (_, i) => `u${i}`), synced_groups: [] }))
  await fetch(`${url}/_emulator/faults`, json('POST', { match: { operation: 'CancelSyncIamUser' }, action: { delay_ms: 1 } }))
  const cancels = Array.from({ length: IN_FLIGHT }, (_, i) =>
    fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, json('DELETE', { user_names: [`u${i}`] })).then((res) => res.status))

  // A client in the middle of sending its request when the close starts.
  const late = connect(port, '127.0.0.1')
  let answer = ''
  late.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
  const lateClosed = new Promise((resolve) => late.on('close', resolve))
  await new Promise((resolve) => late.on('connect', resolve))
  late.write('GET /_emulator/ready HTTP/1.1\r\nHost: localhost\r\n')

  await inFlight
  const closing = emulator.close()
  while (emulator.app.server.listening) await tick()
  t.equal(emulator.app.emulator.ready, false, 'not ready once closing starts')
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'a new connection is refused')
  late.end('\r\n')
  await lateClosed
  t.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/, 'a request on an open connection gets 503')
  t.match(answer, /\r\nretry-after: 1\r\n/i)
  t.match(answer, /"error_code":"EMULATOR\.0503"/)

  open()
  t.same(await Promise.all(cancels), Array(IN_FLIGHT).fill(202), 'every in-flight request finished')
  await closing
  const saved = JSON.parse(await readFile(file, 'utf8'))
  t.same(saved.projects[0].clusters.find((c: { cluster_id: string }) => c.cluster_id === CLUSTER).synced_users, [], 'every cancel is in the state file')
})

t.test('closing under load: every request completes or is refused, and every acknowledged change is saved', async (t) => {
  const file = await tempFile(t)
  const emulator = await startEmulator({ stateFile: file, auth: 'off' })
  const acknowledged: string[] = []
  const unexpected: Array<number | string> = []
  let next = 0
  let closing: Promise<void> | undefined
  const client = async () => {
    for (;;) {
      const id = `load${next++}`
      if (next === 100) closing = emulator.close()
      try {
        const res = await fetch(`${emulator.url}/_emulator/projects/p1/clusters/${id}`, json('PUT', { state: 'running', synced_users: [], synced_groups: [] }))
        await res.arrayBuffer()
        if (res.status === 201) acknowledged.push(id)
        else if (res.status === 503) return
        else unexpected.push(res.status)
      } catch (err) {
        // Refused or closed once closing started: the request was not taken.
        if (closing === undefined) unexpected.push(String(err))
        return
      }
    }
  }
  await Promise.all(Array.from({ length: 20 }, client))
  await closing
  t.same(unexpected, [], 'nothing but answers, 503s and refusals')
  t.ok(acknowledged.length > 0)
  const saved = JSON.parse(await readFile(file, 'utf8'))
  const clusters = new Set(saved.projects.find((p: { project_id: string }) => p.project_id === 'p1').clusters.map((c: { cluster_id: string }) => c.cluster_id))
  t.same(acknowledged.filter((id) => !clusters.has(id)), [], 'every acknowledged change is in the state file')
})

t.test('closing does not wait for connections with no request in flight: silent, idle, or half-way through their headers', async (t) => {
  const emulator = await startEmulator({ auth: 'off' })
  const port = Number(new URL(emulator.url).port)
  /** Connects and sends; resolves once sent (and answered, when `answered`) with the promise of its close. */
  const opened = (send: string, answered = false) => new Promise<{ closed: Promise<void> }>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    if (answered) socket.once('data', () => resolve({ closed }))
    socket.on('connect', () => {
      if (send === '') resolve({ closed })
      else socket.write(send, () => { if (!answered) resolve({ closed }) })
    })
  })
  const silent = await opened('')
  const half = await opened('GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n')
  const idle = await opened('GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n', true)
  const started = Date.now()
  await emulator.close()
  await Promise.all([silent.closed, half.closed, idle.closed])
  // headersTimeout (10 s) and keepAliveTimeout (5 s) are far: the close did not wait for them.
  t.ok(Date.now() - started < 4000, `closed in ${Date.now() - started} ms`)
})
