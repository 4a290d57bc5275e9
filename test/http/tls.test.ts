import { request as httpsRequest } from 'node:https'
import { connect as tlsConnect, type PeerCertificate } from 'node:tls'
import { connect, type Socket } from 'node:net'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout } from 'node:timers/promises'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { ConfigError } from '../../src/config.js'
import { startEmulator } from '../../src/start.js'
import { CA_FILE, CA_KEY_FILE, defaultTlsDir, TlsMaterial } from '../../src/http/tls.js'
import { DOC_EXAMPLE_BODY, journalOf, listening, tempDir, userPath } from '../helpers.js'

/*
 * HTTPS on the same port as HTTP (--tls): the first byte decides; a local CA (auto) or the
 * user's files; certificates that cover the world's regions as Huawei's SDKs name them.
 */

interface Answer { status: number, body: string, cert: PeerCertificate }

/** An HTTPS request that trusts `ca`, to `servername` (SNI and Host) at 127.0.0.1:port. */
function https (port: number, ca: string, path: string, { servername, method = 'GET', body }: { servername?: string, method?: string, body?: object } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = httpsRequest({
      host: '127.0.0.1',
      port,
      path,
      method,
      ca,
      servername,
      agent: false,
      headers: { 'x-auth-token': 't', ...(servername === undefined ? {} : { host: `${servername}:${port}` }), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }
    }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk }).on('end', () => {
        resolve({ status: res.statusCode!, body: text, cert: (res.socket as import('node:tls').TLSSocket).getPeerCertificate() })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** What a raw connection is sent until it closes, and when it closed. */
function raw (port: number, data?: Buffer | string): Promise<{ text: string, ms: number }> {
  const start = performance.now()
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => { if (data !== undefined) socket.write(data) })
    let text = ''
    socket.setEncoding('latin1').on('data', (chunk: string) => { text += chunk })
    socket.on('error', () => {})
    socket.on('close', () => resolve({ text, ms: performance.now() - start }))
  })
}

/** Waits until `condition` holds, looking every few milliseconds. */
async function until (condition: () => Promise<boolean>): Promise<void> {
  while (!await condition()) await setTimeout(5)
}

const altNames = (cert: PeerCertificate) => (cert.subjectaltname ?? '').split(', ')

t.test('--tls auto: https and http on one port, with a CA made once, kept and served', async (t) => {
  const dir = join(await tempDir(t, 'mrs-tls-'), 'ca')
  const emulator = await startEmulator({ tls: 'auto', tlsDir: dir, tlsNames: ['emulator.test'], logger: false })
  t.teardown(() => emulator.close())
  const port = Number(new URL(emulator.url).port)
  t.equal(emulator.httpsUrl, `https://127.0.0.1:${port}`)
  t.equal(emulator.caPath, join(dir, CA_FILE))

  // The CA: served without a token, the file's own text; the key the owner's only.
  const served = await fetch(`${emulator.url}/_emulator/ca.pem`)
  t.equal(served.status, 200)
  t.equal(served.headers.get('content-type'), 'application/x-pem-file')
  const ca = await served.text()
  t.equal(ca, await readFile(join(dir, CA_FILE), 'utf8'))
  t.match(ca, /^-----BEGIN CERTIFICATE-----\n/)
  t.equal((await stat(join(dir, CA_KEY_FILE))).mode & 0o777, 0o600, 'the CA key: owner only')
  t.equal((await stat(dir)).mode & 0o777, 0o700, 'its folder too')

  // The documentation's request over https, by address and by the region's real host name.
  const byAddress = await https(port, ca, userPath(), { method: 'DELETE', body: DOC_EXAMPLE_BODY })
  t.same([byAddress.status, byAddress.body], [202, '{"state":"synchronizing"}'])
  t.same(altNames(byAddress.cert).slice(0, 4), ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:emulator.test'])
  for (const name of ['mrs.cn-north-4.myhuaweicloud.com', 'iam.cn-south-1.myhuaweicloud.com', 'iam.myhuaweicloud.com', 'emulator.test']) {
    // The API (the control plane answers loopback names only, unless --allowed-hosts says more).
    const answer = await https(port, ca, userPath(), { servername: name })
    t.equal(answer.status, 200, `${name} is covered`)
  }
  // http on the same port, as before.
  t.equal((await fetch(`${emulator.url}/_emulator/health`)).status, 200)
  const entries = await journalOf(emulator.app)
  t.same(entries.map((entry) => entry.scheme), ['https', 'https', 'https', 'https', 'https'], 'the journal says which scheme')
  await fetch(`${emulator.url}${userPath()}`, { headers: { 'x-auth-token': 't' } })
  t.equal((await journalOf(emulator.app)).at(-1)!.scheme, 'http')

  // A region that a world loaded later brings is covered at the next handshake, with no restart.
  const state = (await emulator.app.inject({ url: '/_emulator/state' })).json()
  state.projects.push({ project_id: '0123456789abcdef0123456789abcdef', name: 'ap-southeast-1', iam: { users: [], groups: [] }, clusters: [] })
  t.equal((await emulator.app.inject({ method: 'PUT', url: '/_emulator/state', payload: state })).statusCode, 200)
  const later = await https(port, ca, userPath(), { servername: 'mrs.ap-southeast-1.myhuaweicloud.com' })
  t.equal(later.status, 200)
  t.ok(altNames(later.cert).includes('DNS:iam.ap-southeast-1.myhuaweicloud.com'))
  await t.rejects(https(port, ca, userPath(), { servername: 'mrs.eu-west-101.myhuaweicloud.com' }), /altnames/, 'a region the world lacks is not')
  const byAddressLater = await https(port, ca, userPath())
  t.ok(altNames(byAddressLater.cert).includes('DNS:mrs.ap-southeast-1.myhuaweicloud.com'), 'and a client that names no host gets the new certificate too')

  // Another start on the same folder presents a certificate of the same CA.
  const again = await startEmulator({ tls: 'auto', tlsDir: dir, logger: false })
  t.teardown(() => again.close())
  t.equal(await (await fetch(`${again.url}/_emulator/ca.pem`)).text(), ca, 'the CA is kept')
  t.equal((await https(Number(new URL(again.url).port), ca, '/_emulator/health')).status, 200)
})

t.test('--tls files: the user\'s certificate and key; no CA of ours to serve', async (t) => {
  const dir = await tempDir(t, 'mrs-tls-files-')
  // A pair from a CA of the test's own.
  const ca = await TlsMaterial.open({ tls: 'auto', tlsDir: join(dir, 'ca') })
  const pair = await ca!.options(['files.test'])
  await writeFile(join(dir, 'cert.pem'), pair.cert as string)
  await writeFile(join(dir, 'key.pem'), pair.key as string)
  const { port, app } = await listening(t, { tls: 'files', tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') })
  const answer = await https(port, ca!.caPem!, userPath(), { servername: 'files.test' })
  t.equal(answer.status, 200)
  t.same(altNames(answer.cert), ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:files.test'], 'the file\'s names, nothing added')
  const none = await app.inject({ url: '/_emulator/ca.pem' })
  t.same([none.statusCode, none.json()], [404, { error_code: 'EMULATOR.0404', error_msg: 'With --tls files the certificate is your own: trust the CA that signed --tls-cert.' }])
  const off = await (await build()).inject({ url: '/_emulator/ca.pem' })
  t.equal(off.json().error_msg, 'TLS is off: with --tls auto the emulator makes a local CA and serves it here.')

  // Files that cannot serve stop the start, saying which.
  await t.rejects(buildApp({ tls: 'files', tlsCert: join(dir, 'nope.pem'), tlsKey: join(dir, 'key.pem') }), new ConfigError(`Invalid --tls-cert: ENOENT: no such file or directory, open '${join(dir, 'nope.pem')}'`))
  await t.rejects(buildApp({ tls: 'files', tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'nope.pem') }), /^Invalid --tls-key: ENOENT/)
  const other = await ca!.options(['other.test'])
  await writeFile(join(dir, 'other-key.pem'), other.key as string)
  await t.rejects(buildApp({ tls: 'files', tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'other-key.pem') }), /^Invalid --tls-cert\/--tls-key: .*key values mismatch/)
  // A key of another type than the certificate's: OpenSSL would keep it as a second pair, and
  // every handshake would fail.
  const { generateKeyPairSync } = await import('node:crypto')
  await writeFile(join(dir, 'rsa-key.pem'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))
  await t.rejects(buildApp({ tls: 'files', tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'rsa-key.pem') }), new ConfigError('Invalid --tls-cert/--tls-key: the key is not the certificate\'s'))

  async function build () {
    const plain = await buildApp({})
    t.teardown(() => plain.close())
    return plain
  }
})

t.test('--tls auto: a folder that cannot hold the CA, or holds something else, stops the start', async (t) => {
  const dir = await tempDir(t, 'mrs-tls-bad-')
  await writeFile(join(dir, 'file'), 'x')
  await t.rejects(TlsMaterial.open({ tls: 'auto', tlsDir: join(dir, 'file', 'ca') }), /^Invalid --tls-dir: ENOTDIR/)
  await mkdir(join(dir, 'junk'))
  await writeFile(join(dir, 'junk', CA_FILE), 'not a certificate')
  await writeFile(join(dir, 'junk', CA_KEY_FILE), 'not a key')
  await t.rejects(TlsMaterial.open({ tls: 'auto', tlsDir: join(dir, 'junk') }), /^Invalid --tls-dir: .* are not a CA this emulator made .*; remove them to make a new one$/)
  await mkdir(join(dir, 'unreadable', CA_FILE), { recursive: true })
  await t.rejects(TlsMaterial.open({ tls: 'auto', tlsDir: join(dir, 'unreadable') }), /^Invalid --tls-dir: EISDIR/)
  await mkdir(join(dir, 'unwritable', CA_KEY_FILE, 'x'), { recursive: true })
  await t.rejects(TlsMaterial.open({ tls: 'auto', tlsDir: join(dir, 'unwritable') }), /^Invalid --tls-dir: (EISDIR|ENOTEMPTY|EEXIST)/, 'a key that cannot be written')
  t.equal(await TlsMaterial.open({ tls: 'off' }), undefined)
})

t.test('the CA is kept beside the state file, else in the user\'s data folder', async (t) => {
  t.equal(defaultTlsDir('/data/state.json'), '/data/mrs-emulator-ca')
  t.equal(defaultTlsDir(undefined, { XDG_DATA_HOME: '/xdg' }, 'linux'), '/xdg/mrs-emulator/ca')
  t.match(defaultTlsDir(undefined, {}, 'linux'), /\/\.local\/share\/mrs-emulator\/ca$/)
  t.match(defaultTlsDir(undefined, {}, 'darwin'), /\/Library\/Application Support\/mrs-emulator\/ca$/)
  t.equal(defaultTlsDir(undefined, { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32'), join('C:\\Users\\u\\AppData\\Local', 'mrs-emulator', 'ca'))
  t.match(defaultTlsDir(undefined, {}, 'win32'), /AppData\/Local\/mrs-emulator\/ca$/)
  const dir = await tempDir(t, 'mrs-tls-default-')
  const material = await TlsMaterial.open({ tls: 'auto', stateFile: join(dir, 'state.json') })
  t.equal(material!.caPath, join(dir, 'mrs-emulator-ca', CA_FILE), 'beside the state file')
})

t.test('a certificate is made once per set of names; names that change meanwhile get theirs', async (t) => {
  const material = (await TlsMaterial.open({ tls: 'auto', tlsDir: await tempDir(t, 'mrs-tls-names-') }))!
  const [a, b, c] = await Promise.all([material.options(['a.test']), material.options(['a.test']), material.options(['b.test'])])
  t.equal(a, b, 'the same names: one certificate')
  t.not(a.cert, c!.cert)
  t.equal(await material.options(['b.test']), c, 'kept')
  t.equal(await material.options(['b.test', '', '0.0.0.0', '::']), c, 'names that are no names are left out')
})

t.test('what is not a handshake, or never finishes one, is closed without an answer; plain HTTP goes on', async (t) => {
  const silentMs = 300
  const { port, app } = await listening(t, { tls: 'auto', tlsDir: await tempDir(t, 'mrs-tls-edge-'), limits: { headersTimeoutMs: silentMs } })
  const [garbage, half, silent, plain, closed] = await Promise.all([
    raw(port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 6, 7])),
    raw(port, Buffer.from([0x16, 0x03, 0x01])),
    raw(port),
    raw(port, 'GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
    new Promise<string>((resolve) => {
      // A client that closes before its first byte.
      const socket = connect(port, '127.0.0.1', () => socket.end())
      socket.on('close', () => resolve('closed'))
    })
  ])
  t.equal(closed, 'closed')
  // Plain text under a TLS connection, once its handshake is done: a TLS alert, then closed.
  const under = connect(port, '127.0.0.1')
  const secure = tlsConnect({ socket: under, rejectUnauthorized: false }, () => under.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
  const alert = await new Promise<string>((resolve) => secure.on('error', (err: NodeJS.ErrnoException) => resolve(err.code!)))
  t.match(alert, /ALERT/, `the client hears ${alert}`)
  // One that resets before its first byte: its error is ended, not thrown.
  const reset = connect(port, '127.0.0.1', () => reset.resetAndDestroy())
  await new Promise((resolve) => reset.on('close', resolve))
  await until(() => new Promise<boolean>((resolve) => app.server.getConnections((_err, count) => resolve(count === 0))))
  t.equal(garbage.text.slice(0, 2), '\x15\x03', 'a TLS alert, no HTTP, no stack trace')
  t.ok(garbage.ms < silentMs, 'at once')
  t.equal(half.text, '')
  t.ok(half.ms >= silentMs - 20, `a handshake never finished: closed after silentMs (${Math.round(half.ms)} ms)`)
  t.equal(silent.text, '')
  t.ok(silent.ms >= silentMs - 20, `a connection that sends nothing: closed after silentMs (${Math.round(silent.ms)} ms)`)
  t.match(plain.text, /^HTTP\/1\.1 200 OK\r\n/)
  t.equal((await app.inject({ url: '/_emulator/health' })).statusCode, 200, 'and the emulator goes on')
})

t.test('shutdown closes the connections that have not said which scheme they speak', async (t) => {
  const { port, app } = await listening(t, { tls: 'auto', tlsDir: await tempDir(t, 'mrs-tls-close-') })
  const silent = raw(port)
  const halfway = raw(port, Buffer.from([0x16, 0x03, 0x01]))
  const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('secureConnect', resolve))
  await setTimeout(20)
  const start = performance.now()
  await app.close()
  t.ok(performance.now() - start < 2000, 'no wait for the silent connection')
  t.equal((await silent).text, '')
  t.equal((await halfway).text, '', 'nor for a handshake half done')
  socket.destroy()
})

/** A TLS connection that writes `head`, then `body` in chunks while the connection is open; what it was sent, until it closed. */
function tlsExchange (port: number, head: string, body?: { chunk: Buffer, times: number }): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      socket.write(head)
      let left = body?.times ?? 0
      const more = () => {
        while (left > 0 && !socket.destroyed) {
          left--
          if (!socket.write(body!.chunk)) return socket.once('drain', more)
        }
      }
      more()
    })
    let text = ''
    socket.setEncoding('latin1').on('data', (chunk: string) => { text += chunk })
    socket.on('error', () => {})
    socket.on('close', () => resolve(text))
  })
}

t.test('over TLS, answers written in pieces, then the connection closed, arrive whole (a TLS connection takes one write at a time)', async (t) => {
  const { port } = await listening(t, { tls: 'auto', tlsDir: await tempDir(t, 'mrs-tls-pieces-') })
  // The journal's read and IAM's lists are written as they are made, in pieces; with
  // `Connection: close`, Node ends the connection once the answer is.
  for (const path of ['/_emulator/requests', '/_emulator/requests', '/v3/projects', '/_emulator/requests', '/_emulator/state']) {
    const answer = await tlsExchange(port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`)
    t.match(answer, /^HTTP\/1\.1 200 /, path)
    const [head, ...rest] = answer.split('\r\n\r\n')
    const body = rest.join('\r\n\r\n')
    const length = /^content-length: (\d+)$/im.exec(head!)
    if (length === null) t.ok(body.endsWith('0\r\n\r\n'), `${path}: the last chunk`)
    else t.equal(Buffer.byteLength(body, 'latin1'), Number(length[1]), `${path}: the whole body`)
  }
})

t.test('over TLS as over HTTP: an early answer reaches a client still sending its body, pipelining, faults, and the stall cut-off', async (t) => {
  const { port, app } = await listening(t, { tls: 'auto', tlsDir: await tempDir(t, 'mrs-tls-same-'), limits: { stallMs: 200, timeoutCheckIntervalMs: 50 } })
  // 413 while 20 MiB are still being sent: the answer arrives, then the connection closes.
  const big = await tlsExchange(port, `DELETE ${userPath()} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n`, { chunk: Buffer.alloc(64 * 1024, 'a'), times: 320 })
  t.match(big, /^HTTP\/1\.1 413 /)
  t.match(big, /"error_code":"APIGW\.0201"/)
  // Two pipelined requests: two answers, in order.
  const two = await tlsExchange(port, `GET ${userPath()} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\nGET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
  t.same([...two.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]), ['200', '200'])
  // A fault rule's drop: the connection closes without an answer.
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { match: { operation: 'ShowSyncIamUser' }, action: { drop: true } } })).statusCode, 201)
  t.equal(await tlsExchange(port, `GET ${userPath()} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: t\r\n\r\n`), '')
  // A client that takes nothing of its answers is cut off after stallMs: answers of ~6 MB, far
  // more than the kernel's buffers take, so that the TLS connection's own queue holds them.
  const synced = Array.from({ length: 90 }, (_, i) => `${'u'.repeat(58)}${i}`)
  const projects = Array.from({ length: 1000 }, (_, i) => ({ project_id: `p${i}`, iam: { users: [], groups: [] }, clusters: [{ cluster_id: 'c', state: 'running', synced_users: synced, synced_groups: [] }] }))
  t.equal((await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { projects } })).statusCode, 200)
  const connections = () => new Promise<number>((resolve) => app.server.getConnections((_err, count) => resolve(count)))
  const start = performance.now()
  const reader = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
    reader.pause()
    reader.write('GET /_emulator/state HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(16))
  })
  reader.on('error', () => {})
  t.teardown(() => reader.destroy())
  await until(async () => performance.now() - start > 100 && await connections() === 0)
  t.ok(performance.now() - start >= 190, `cut off once stalled for stallMs (${Math.round(performance.now() - start)} ms)`)
})
