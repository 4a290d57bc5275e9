import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Fixture } from '../src/core/fixture-schema.js'
import { signRequest } from '../src/core/signature.js'
import { BASELINE, EMULATOR, FASTIFY_ROUTE, ROOT, spawnServer, stop, type NodeLine } from './lib.js'

export const PROJECT = 'ff8080828997cb24018a1b2db3440b80'
export const CLUSTER = 'f7f45c04-4303-411c-9b71-d2cb730dd162'
export const BIG_CLUSTER = 'bench-1000-names'
const USER_PATH = `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`
const DOC_BODY = JSON.stringify({ group_names: ['groups1'], user_names: ['user1', 'user2'] })
const names = (prefix: string) => Array.from({ length: 1000 }, (_, i) => `${prefix}${i}`)
const JSON_TOKEN = { 'content-type': 'application/json', 'x-auth-token': 'bench' }

/** The bundled fixtures plus a cluster with 1,000 synchronized users and groups (scenario 4). */
export function benchFixture (): string {
  const fixture = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'default.json'), 'utf8')) as Fixture
  fixture.projects[0]!.clusters.push({ cluster_id: BIG_CLUSTER, state: 'running', synced_users: names('user'), synced_groups: names('group'), is_synchronous: true })
  const file = join(mkdtempSync(join(tmpdir(), 'mrs-bench-')), 'fixture.json')
  writeFileSync(file, JSON.stringify(fixture))
  return file
}

export interface Scenario {
  id: number
  name: string
  target?: number
  /** Emulator flags beyond --fixtures. */
  args: (dir: string) => string[]
  env?: Record<string, string>
  request: { method: string, path: string, headers: Record<string, string>, body?: string }
  /** Sign each request afresh (strict auth). */
  sign?: boolean
  /** The baseline also makes the emulator's durable write per change (the state file's). */
  durable?: boolean
  /** A reference server measured in the emulator's place (no target), with `env`. */
  server?: string
  /** Over https (keep-alive): the emulator with --tls auto, the baseline node:https with a key of the same kind. */
  tls?: boolean
}

const AK = 'EMULATORAK0000000001'
const SK = 'EmulatorSecretKey0000000000000000000001'
const sdkDate = () => new Date().toISOString().replace(/[-:]|\.\d+/g, '')

/** Headers for one freshly signed request, as the Node SDK signs it. */
export function signedHeaders (method: string, path: string, body: string, host: string): Record<string, string> {
  return signRequest({ method, url: path, body, headers: { 'content-type': 'application/json', host, 'x-project-id': PROJECT } },
    { algorithm: 'SDK-HMAC-SHA256', accessKey: AK, secretKey: SK, date: sdkDate() })
}

export const SCENARIOS: Scenario[] = [
  { id: 1, name: 'documentation example DELETE, permissive', target: 0.80, args: () => [], request: { method: 'DELETE', path: USER_PATH, headers: JSON_TOKEN, body: DOC_BODY } },
  { id: 2, name: 'DELETE with 1,000 user and 1,000 group names', target: 0.60, args: () => [], request: { method: 'DELETE', path: USER_PATH, headers: JSON_TOKEN, body: JSON.stringify({ user_names: names('user'), group_names: names('group') }) } },
  { id: 3, name: 'invalid cluster_id (400)', target: 0.78, args: () => [], request: { method: 'DELETE', path: `/v2/${PROJECT}/clusters/bad.cluster.id/iam-sync-user`, headers: JSON_TOKEN, body: DOC_BODY } },
  { id: 4, name: 'GET iam-sync-user, 1,000 synced names', target: 0.70, args: () => [], request: { method: 'GET', path: `/v2/${PROJECT}/clusters/${BIG_CLUSTER}/iam-sync-user`, headers: { 'x-auth-token': 'bench' } } },
  { id: 5, name: 'strict auth, each request freshly signed', target: 0.80, args: () => ['--auth', 'strict'], request: { method: 'DELETE', path: USER_PATH, headers: {}, body: DOC_BODY }, sign: true },
  { id: 6, name: 'permissive, with a state file', target: 0.50, args: (dir) => ['--state-file', join(dir, `state-${process.hrtime.bigint()}.json`)], request: { method: 'DELETE', path: USER_PATH, headers: JSON_TOKEN, body: DOC_BODY }, durable: true },
  { id: 7, name: 'scenario 1 at LOG_LEVEL=info (logging cost, no target)', args: () => [], env: { LOG_LEVEL: 'info' }, request: { method: 'DELETE', path: USER_PATH, headers: JSON_TOKEN, body: DOC_BODY } },
  { id: 8, name: 'bare Fastify with scenario 1\'s route, in the emulator\'s place (Fastify\'s share of the gap, no target)', args: () => [], server: FASTIFY_ROUTE, request: { method: 'DELETE', path: USER_PATH, headers: JSON_TOKEN, body: DOC_BODY } },
  { id: 9, name: 'scenario 1 over https, keep-alive (--tls auto; the baseline is node:https)', args: (dir) => ['--tls', 'auto', '--tls-dir', join(dir, 'tls-ca')], tls: true, request: { method: 'DELETE', path: USER_PATH, headers: JSON_TOKEN, body: DOC_BODY } },
  { id: 10, name: 'the raw baseline writing its answers at the end of the event-loop turn, as the emulator does, in the emulator\'s place (like for like, no target)', args: () => [], server: BASELINE, env: { BASELINE_TURN_WRITES: '1' }, request: { method: 'DELETE', path: USER_PATH, headers: JSON_TOKEN, body: DOC_BODY } }
]

/**
 * The TLS baseline's key and certificate: made by the emulator's own code (ECDSA P-256, signed by
 * a local CA) in `dir`, so that both servers present the same kind; their files, as the
 * baseline's environment.
 */
export async function tlsBaseline (dir: string): Promise<Record<string, string>> {
  const { TlsMaterial } = await import('../src/http/tls.js')
  const material = await TlsMaterial.open({ tls: 'auto', tlsDir: join(dir, 'tls-baseline-ca') })
  const { key, cert } = await material!.options(['127.0.0.1'])
  writeFileSync(join(dir, 'baseline-key.pem'), key as string)
  writeFileSync(join(dir, 'baseline-cert.pem'), cert as string)
  return { BASELINE_TLS_KEY_FILE: join(dir, 'baseline-key.pem'), BASELINE_TLS_CERT_FILE: join(dir, 'baseline-cert.pem') }
}

/**
 * What makes the baseline fair to a scenario: the status and body bytes the emulator answers to
 * its request (scenario 4's 20 KB of names, scenario 3's error body), and for a durable scenario
 * the bytes of the emulator's state file, which the baseline writes as durably per change.
 * Taken from one emulator run before the rounds.
 */
export async function fairBaseline (scenario: Scenario, node: NodeLine, fixture: string, dir: string): Promise<Record<string, string>> {
  const own = mkdtempSync(join(dir, 'capture-'))
  const server = await spawnServer(EMULATOR, ['--fixtures', fixture, ...scenario.args(own)], { LOG_LEVEL: 'warn', ...scenario.env }, undefined, node.execPath)
  try {
    const { method, path, headers, body } = scenario.request
    const res = await fetch(server.url + path, {
      method,
      body,
      headers: scenario.sign === true ? signedHeaders(method, path, body ?? '', new URL(server.url).host) : headers
    })
    const answer = join(own, 'answer')
    writeFileSync(answer, Buffer.from(await res.arrayBuffer()))
    const env: Record<string, string> = { BASELINE_STATUS: String(res.status), BASELINE_BODY_FILE: answer }
    if (scenario.durable === true) {
      const state = readdirSync(own).find((file) => file.startsWith('state-'))!
      Object.assign(env, { BASELINE_STATE_FILE: join(own, 'baseline-state.json'), BASELINE_STATE_TEXT_FILE: join(own, state) })
    }
    return env
  } finally {
    await stop(server.child)
  }
}

/** The scenarios of `--only 1,3`, every one when absent; an unknown id is an error, not an empty table. */
export function chosen (only: string | undefined): Scenario[] {
  if (only === undefined) return SCENARIOS
  return only.split(',').map((id) => {
    const scenario = SCENARIOS.find((s) => s.id === Number(id))
    if (scenario === undefined) throw new Error(`--only: no scenario ${id} (1 to ${SCENARIOS.length})`)
    return scenario
  })
}
