import { connect } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildOptions } from '../src/app.js'
import { PACKAGE_ROOT } from '../src/package-info.js'
import { ApiError } from '../src/core/errors.js'
import type { Authenticator, AuthRequest } from '../src/core/auth.js'

/** The documentation's example: project, cluster and request. */
export const PROJECT = 'ff8080828997cb24018a1b2db3440b80'
export const CLUSTER = 'f7f45c04-4303-411c-9b71-d2cb730dd162'
export const DOC_EXAMPLE_BODY = { group_names: ['groups1'], user_names: ['user1', 'user2'] }
/** Other clusters of the bundled fixtures. */
export const SYNCED_CLUSTER = '3c1a4b92-6f0e-4d5a-8e21-7b9d0c4f5a10'
export const ABNORMAL_CLUSTER = '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b'
export const STOPPED_CLUSTER = 'b52e0f7d-1c3a-4f6b-a8d9-e0c1b2a3f4d5'
export const OTHER_PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'

export const TOKEN = { 'x-auth-token': 'any-token' }
export const JSON_HEADERS = { ...TOKEN, 'content-type': 'application/json' }

export const userPath = (project = PROJECT, cluster = CLUSTER) => `/v2/${project}/clusters/${cluster}/iam-sync-user`
export const syncPath = (project = PROJECT, cluster = CLUSTER) => `/v2/${project}/clusters/${cluster}/iam-sync`
export const synchronousPath = (project = PROJECT, cluster = CLUSTER) => `/v2/${project}/clusters/${cluster}/iam-sync/is-synchronous`

/** A fake clock: `clock.now` to inject, `clock.advance(ms)` to move it. */
export function fakeClock (start = 1_700_000_000_000) {
  let time = start
  return { now: () => time, advance: (ms: number) => { time += ms } }
}

/** Builds the app on the bundled fixtures (unless told otherwise) and closes it after the test. */
export async function build (t: Test, options: BuildOptions = {}) {
  const app = await buildApp(options)
  t.teardown(() => app.close())
  return app
}

/** A new temporary folder, removed after the test. */
export async function tempDir (t: Test, prefix = 'mrs-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Builds the app on the bundled fixtures (unless told otherwise), listening on a free loopback port. */
export async function listening (t: Test, options: BuildOptions = {}, host = '127.0.0.1') {
  const app = await build(t, options)
  await app.listen({ port: 0, host })
  const { port } = app.server.address() as { port: number }
  return { app, port, url: `http://127.0.0.1:${port}` }
}

/**
 * Writes raw bytes on a new connection (and half-closes it, with `end`) and resolves with
 * everything the server wrote until it closed, one character per byte.
 */
export function rawExchange (port: number, data: string | Buffer, { end = false } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => end ? socket.end(data) : socket.write(data))
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { answer += chunk })
    socket.on('error', () => {})
    socket.on('close', () => resolve(answer))
  })
}

export interface RawResponse { status: number, headers: Record<string, string>, body: string }

/** The responses in what a server wrote on one connection, in order (bodies framed by Content-Length). */
export function responsesIn (text: string): RawResponse[] {
  const responses: RawResponse[] = []
  let rest = text
  while (rest.startsWith('HTTP/1.')) {
    const end = rest.indexOf('\r\n\r\n')
    const [line, ...lines] = rest.slice(0, end).split('\r\n') as [string, ...string[]]
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
    const length = Number(headers['content-length'] ?? 0)
    responses.push({ status: Number(line.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) })
    rest = rest.slice(end + 4 + length)
  }
  return responses
}

/** An authenticator's two steps in order (headers, then the signature), for a whole request at once. */
export function authenticateBoth (authenticator: Authenticator, request: AuthRequest): ApiError | undefined {
  const verdict = authenticator.headers(request)
  return verdict === undefined || verdict instanceof ApiError ? verdict : authenticator.signature(verdict, request)
}

/** The journal's entries, as `GET /_emulator/requests` answers them. */
export async function journalOf (app: FastifyInstance, query = ''): Promise<any[]> {
  return (await app.inject({ url: `/_emulator/requests${query}` })).json<{ requests: any[] }>().requests
}

/** Waits, a turn of the event loop at a time, until the fault rules have seen `hits` requests in all. */
export async function faultHits (app: FastifyInstance, hits: number): Promise<void> {
  const seen = async () => (await app.inject({ url: '/_emulator/faults' })).json<{ faults: Array<{ hits: number }> }>().faults.reduce((n, rule) => n + rule.hits, 0)
  while (await seen() < hits) await new Promise((resolve) => setImmediate(resolve))
}

/** A state file's path in a folder of its own, removed after the test. */
export const stateFilePath = async (t: Test, prefix = 'mrs-state-') => join(await tempDir(t, prefix), 'state.json')

/** A JSON file's content, parsed. */
export const readJson = async (file: string): Promise<any> => JSON.parse(await readFile(file, 'utf8'))

/** A file of the package, as text. */
export const readPackageFile = (path: string) => readFile(join(PACKAGE_ROOT, path), 'utf8')

/** The documentation's example URL (CancelSyncIamUser's path) on an emulator at `base`. */
export const docUrl = (base: string) => `${base}${userPath()}`
