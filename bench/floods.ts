import { request } from 'node:http'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { viaHttp } from '../test/clients.js'
import { rssMiB, spawnServer, type Running } from './lib.js'

/**
 * The floods of the resource findings, each on a fresh emulator with the default settings (or
 * the mode named), measured from outside: peak RSS, health latency during the flood and once it
 * stops, whether the process lived, and how long SIGTERM took. The baseline is the same shape of
 * flood on `/_emulator/health`, measured in the same run.
 */

const MiB = 1024 * 1024
const PROJECT = 'ff8080828997cb24018a1b2db3440b80'
const CLUSTER = 'f7f45c04-4303-411c-9b71-d2cb730dd162'
const MRS_PATH = `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`
const TOKEN = 'emulator-token-ff8080828997cb24018a1b2db3440b80'

export interface FloodRow {
  name: string
  peakMiB: number
  beforeMiB: number
  duringP99: number
  afterP99: number
  alive: boolean
  exitMs: number
  note: string
}

/** One health check's time in ms; a check that takes over 10 s counts as 10 s. */
function probe (url: string): Promise<number> {
  const start = process.hrtime.bigint()
  return new Promise((resolve) => {
    const done = () => resolve(Number(process.hrtime.bigint() - start) / 1e6)
    const req = request(`${url}/_emulator/health`, { agent: false, timeout: 10_000 }, (res) => {
      res.resume()
      res.on('end', done)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(10_000))
    req.end()
  })
}

const p99 = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]!
}

/**
 * Writes `requests` on `connections` connections at once (pipelined), reads nothing, and closes
 * them after `closeAfterMs`.
 */
async function pipelined (port: number, requests: string, connections: number, closeAfterMs: number): Promise<string> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(requests)
      resolve(socket)
    })
    socket.on('error', () => {})
  })))
  await sleep(closeAfterMs)
  for (const socket of sockets) socket.destroy()
  return `${connections} × ${requests.split('\r\n\r\n').length - 1} pipelined, closed after ${closeAfterMs} ms`
}

/**
 * Writes `requests` on `connections` connections, reads what comes, and half-closes each (a FIN,
 * as a client that gives up does) after `endAfterMs`; resolves once the server has closed them
 * all, or after 5 s more.
 */
async function halfClosed (port: number, requests: string, connections: number, endAfterMs: number): Promise<number> {
  let closed = 0
  const sockets = await Promise.all(Array.from({ length: connections }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(requests)
      resolve(socket)
    })
    socket.resume()
    socket.on('error', () => {})
    socket.on('close', () => { closed++ })
  })))
  await sleep(endAfterMs)
  for (const socket of sockets) socket.end()
  const deadline = Date.now() + 5000
  while (closed < connections && Date.now() < deadline) await sleep(10)
  for (const socket of sockets) socket.destroy()
  return closed
}

/**
 * Sends requests on one keep-alive connection, `window` at a time (the emulator carries out
 * pipelined requests one at a time and lets 16 wait), and reads their answers; resolves with the
 * statuses seen.
 */
function exchange (port: number, requests: string[], window = 8): Promise<number[]> {
  return new Promise((resolve) => {
    const statuses: number[] = []
    let buffered = ''
    let sent = 0
    const more = () => {
      const upTo = Math.min(requests.length, statuses.length + window)
      if (upTo > sent) socket.write(requests.slice(sent, upTo).join(''))
      sent = Math.max(sent, upTo)
    }
    const socket = connect(port, '127.0.0.1', more)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      buffered += chunk
      // Count the status lines; drop what is read but keep a possible partial one.
      for (const match of buffered.matchAll(/HTTP\/1\.1 (\d{3}) /g)) statuses.push(Number(match[1]))
      buffered = buffered.slice(-20)
      if (statuses.length >= requests.length) socket.destroy()
      else more()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(statuses))
  })
}

const tally = (values: Array<number | string>) => Object.entries(values.reduce<Record<string, number>>((all, v) => {
  all[v] = (all[v] ?? 0) + 1
  return all
}, {})).map(([v, n]) => `${v}×${n}`).join(', ')

type Attack = (server: Running) => Promise<string>

const health = (n: number) => 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(n)

/** The floods, by name: what each sends. */
export const FLOODS: Array<{ name: string, args?: string[], attack: Attack }> = [
  {
    name: 'baseline: 3 × 5,000 pipelined GET /_emulator/health',
    attack: async ({ port }) => await pipelined(port, health(5000), 3, 150)
  },
  {
    name: 'F1: 15,000 POST /v3/projects, then 200 project lists with a 15,000-character Host',
    attack: async ({ port }) => {
      const create = (i: number) => {
        const body = JSON.stringify({ project: { name: `cn-north-4_p${i}` } })
        return `POST /v3/projects HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
      }
      const created = (await Promise.all([0, 1, 2].map((c) => exchange(port, Array.from({ length: 5000 }, (_, i) => create(c * 5000 + i)))))).flat()
      const host = 'h'.repeat(15_000)
      const list = `GET /v3/projects?page=1&per_page=5000 HTTP/1.1\r\nHost: ${host}\r\nX-Auth-Token: t\r\n\r\n`
      const listed = (await Promise.all(Array.from({ length: 20 }, () => exchange(port, Array(10).fill(list))))).flat()
      return `creates: ${tally(created)}; lists: ${tally(listed)}`
    }
  },
  {
    name: 'F2: 3 × 5,000 pipelined wait_ms=30000 polls',
    attack: async ({ port }) => await pipelined(port, 'GET /_emulator/requests?operation=ShowSyncIamUser&wait_ms=30000 HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(5000), 3, 150)
  },
  {
    name: 'F2: 3 × 5,000 pipelined requests held by a 10-minute delay fault',
    attack: async ({ port, url }) => {
      await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: { operation: 'ShowSyncIamUser' }, action: { delay_ms: 600_000 } }) })
      return await pipelined(port, `GET ${MRS_PATH} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n`.repeat(5000), 3, 150)
    }
  },
  {
    name: 'F2: 1,500 connections with a wait_ms=30000 poll each, closed after 150 ms',
    attack: async ({ port }) => await pipelined(port, 'GET /_emulator/requests?operation=ShowSyncIamUser&wait_ms=30000 HTTP/1.1\r\nHost: localhost\r\n\r\n', 1500, 150)
  },
  {
    name: 'F2: 1,500 connections with a request held by a 10-minute delay fault each, closed after 150 ms',
    attack: async ({ port, url }) => {
      await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: { operation: 'ShowSyncIamUser' }, action: { delay_ms: 600_000 } }) })
      return await pipelined(port, `GET ${MRS_PATH} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n`, 1500, 150)
    }
  },
  {
    name: 'F2: 3 × 5,000 pipelined long polls and 3 × 5,000 pipelined delayed requests, their clients reading, then closing with a FIN after 150 ms; then a poll',
    attack: async ({ port, url }) => {
      await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: { operation: 'ShowSyncIamUser' }, action: { delay_ms: 600_000 } }) })
      const polls = halfClosed(port, 'GET /_emulator/requests?operation=ListSyncStatus&wait_ms=30000 HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(5000), 3, 150)
      const delayed = halfClosed(port, `GET ${MRS_PATH} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n`.repeat(5000), 3, 150)
      const closed = (await polls) + (await delayed)
      const poll = await fetch(`${url}/_emulator/requests?operation=ListSyncStatus&wait_ms=100`)
      return `${closed} of 6 closed by the server within 5 s; a poll then: ${poll.status}`
    }
  },
  {
    name: 'R1: 6 × 2,000 pipelined GET /_emulator/openapi.json, never read',
    attack: async ({ port }) => await pipelined(port, 'GET /_emulator/openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(2000), 6, 5000)
  },
  {
    name: 'R1: 1,500 × 200 pipelined GETs of a dashboard file, never read',
    attack: async ({ port, url }) => {
      const page = await (await fetch(`${url}/_emulator/ui`)).text()
      const file = /"(ui\/[0-9a-f]+\/journal\.js)"/.exec(page)![1]!
      return await pipelined(port, `GET /_emulator/${file} HTTP/1.1\r\nHost: localhost\r\n\r\n`.repeat(200), 1500, 5000)
    }
  },
  {
    name: 'R1: 2,000 × 200 pipelined GET /v3/projects, never read',
    attack: async ({ port }) => await pipelined(port, 'GET /v3/projects HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n'.repeat(200), 2000, 5000)
  },
  {
    name: 'R1: 4,000 × 16 pipelined GET /v3/projects (as many as may wait), never read',
    attack: async ({ port }) => await pipelined(port, 'GET /v3/projects HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n'.repeat(16), 4000, 5000)
  },
  {
    name: 'R3: 160 cluster PUTs of 9 MiB of names, then 300 × 16 pipelined GET /_emulator/state, never read',
    attack: async ({ port, url }) => {
      const names = JSON.stringify(Array.from({ length: 9 * 1024 }, (_, i) => `${'n'.repeat(1000)}${i}`))
      const body = `{"state":"running","synced_users":${names},"synced_groups":[]}`
      const put = (i: number) => `PUT /_emulator/projects/p${i % 50}/clusters/c${i} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
      const puts = (await Promise.all(Array.from({ length: 8 }, (_, c) => exchange(port, Array.from({ length: 20 }, (_, i) => put(c * 20 + i)))))).flat()
      // Then as many names as the world holds, in clusters of 10,000.
      const fill = JSON.stringify({ state: 'running', synced_users: Array.from({ length: 10_000 }, (_, i) => `user-with-a-name-of-sixty-four-characters-${String(i).padStart(22, '0')}`), synced_groups: [] })
      const filled = []
      for (let i = 0; i < 10; i++) filled.push((await fetch(`${url}/_emulator/projects/full/clusters/c${i}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: fill })).status)
      const state = Buffer.byteLength(await (await fetch(`${url}/_emulator/state`)).text())
      await pipelined(port, 'GET /_emulator/state HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(16), 300, 5000)
      return `9 MiB puts: ${tally(puts)}; filling: ${tally(filled)}; the world: ${(state / MiB).toFixed(1)} MiB of JSON`
    }
  },
  {
    name: 'F3: 1,000 entries of 15 KB headers and 16 KB control-byte bodies, 5 reads, then 40 HAR readers that do not read',
    attack: async ({ port, url }) => {
      const headers = Array.from({ length: 15 }, (_, i) => `X-Pad-${i}: ${'a'.repeat(1000)}\r\n`).join('')
      const body = '\u0001'.repeat(16 * 1024)
      const one = `DELETE ${MRS_PATH} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n${headers}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
      await Promise.all(Array.from({ length: 10 }, () => exchange(port, Array(100).fill(one))))
      const reads: string[] = []
      for (let i = 0; i < 5; i++) {
        const start = process.hrtime.bigint()
        const res = await fetch(`${url}/_emulator/requests`)
        const size = (await res.arrayBuffer()).byteLength
        reads.push(`${res.status} (${(size / MiB).toFixed(0)} MiB in ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms)`)
      }
      await pipelined(port, 'GET /_emulator/requests.har HTTP/1.1\r\nHost: localhost\r\n\r\n', 40, 5000)
      return `reads: ${reads.join(', ')}`
    }
  },
  {
    name: 'F3: 1,000 entries of 900 tiny headers',
    attack: async ({ port }) => {
      const headers = Array.from({ length: 900 }, (_, i) => `x-h${i}: a\r\n`).join('')
      const one = `GET ${MRS_PATH} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n${headers}\r\n`
      const statuses = (await Promise.all(Array.from({ length: 10 }, () => exchange(port, Array(100).fill(one))))).flat()
      return tally(statuses)
    }
  },
  {
    name: 'F5: 40 × 11 MiB to POST /v3/auth/tokens (strict)',
    args: ['--auth', 'strict'],
    attack: async ({ url }) => tally(await Promise.all(Array.from({ length: 40 }, () => viaHttp(`${url}/v3/auth/tokens`, Buffer.alloc(11 * MiB, 'a'), { 'content-type': 'application/json' }, false))))
  },
  {
    name: 'F5: 40 × 11 MiB to securitytokens with an unknown token (strict)',
    args: ['--auth', 'strict'],
    attack: async ({ url }) => tally(await Promise.all(Array.from({ length: 40 }, () => viaHttp(`${url}/v3.0/OS-CREDENTIAL/securitytokens`, Buffer.alloc(11 * MiB, 'a'), { 'content-type': 'application/json', 'x-auth-token': 'unknown' }, false))))
  },
  {
    name: 'F5: 40 × 11 MiB to the MRS API with a token (permissive)',
    attack: async ({ url }) => tally(await Promise.all(Array.from({ length: 40 }, () => viaHttp(`${url}${MRS_PATH}`, Buffer.alloc(11 * MiB, 'a'), { 'content-type': 'application/json', 'x-auth-token': TOKEN }, false))))
  }
]

/** Runs one flood on a fresh emulator (`script`: which build) and measures it. */
export async function runFlood (script: string, flood: typeof FLOODS[number], smoke: boolean): Promise<FloodRow> {
  const server = await spawnServer(script, ['--log-level', 'silent', ...(flood.args ?? [])])
  const pid = server.child.pid!
  let died = false
  server.child.once('exit', () => { died = true })
  const before = rssMiB(pid)
  let peak = before
  const sampler = setInterval(() => {
    try { peak = Math.max(peak, rssMiB(pid)) } catch {} // gone
  }, 10)
  let attacking = true
  const during: number[] = []
  const probing = (async () => {
    while (attacking && !died) {
      during.push(await probe(server.url))
      await sleep(10)
    }
  })()
  let note: string
  process.stderr.write(`${flood.name}…\n`)
  try {
    // An attack that gets no answers (the process died, or holds them) is given up after a minute.
    note = smoke ? 'smoke: harness only' : await Promise.race([flood.attack(server), sleep(60_000).then(() => 'the attack got no end in 60 s')])
  } catch (err) {
    note = `the attack failed: ${(err as Error).message}`
  }
  attacking = false
  await probing
  const after: number[] = []
  // A process that no longer answers is given 30 s of checks, not 100 × 10 s.
  const giveUp = Date.now() + 30_000
  for (let i = 0; i < (smoke ? 5 : 100) && !died && Date.now() < giveUp; i++) {
    after.push(await probe(server.url))
    await sleep(5)
  }
  clearInterval(sampler)
  const alive = !died
  const stopping = process.hrtime.bigint()
  if (alive) {
    server.child.kill('SIGTERM')
    await new Promise((resolve) => server.child.once('exit', resolve))
  }
  return {
    name: flood.name,
    peakMiB: peak,
    beforeMiB: before,
    duringP99: p99(during),
    afterP99: p99(after),
    alive,
    exitMs: alive ? Number(process.hrtime.bigint() - stopping) / 1e6 : NaN,
    note
  }
}

/** The floods' Markdown table. */
export function floodTable (rows: FloodRow[]): string[] {
  const n = (value: number, digits = 0) => Number.isNaN(value) ? '—' : value.toFixed(digits)
  return [
    '| flood | RSS before | peak RSS | health p99 during | health p99 after | alive | SIGTERM → exit | what the flood got |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${n(r.beforeMiB)} MiB | ${n(r.peakMiB)} MiB | ${n(r.duringP99, 1)} ms | ${n(r.afterP99, 1)} ms | ${r.alive ? 'yes' : '**no**'} | ${n(r.exitMs)} ms | ${r.note} |`)
  ]
}
