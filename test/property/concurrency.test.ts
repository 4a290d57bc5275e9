import { Agent, request } from 'node:http'
import fc from 'fast-check'
import t from 'tap'
import { CLUSTERS, expect, fixture, GROUPS, initial, key, PROJECTS, USERS, type Model, type SyncBody } from '../reference-model.js'
import { startEmulator } from '../../src/start.js'

// 20 clients, each with one request in flight at a time, over real connections to an emulator
// listening in this process: 3,000 interleaved requests per run.
const CLIENTS = 20
const PER_CLIENT = 150
// ~2 s alone, ~10 s beside two CPU-bound processes: room for a machine busier still.
t.setTimeout(120_000)

interface Call { method: 'GET' | 'POST' | 'DELETE', op: string, p: string, c: string, body: SyncBody }
const call: fc.Arbitrary<Call> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  op: fc.constantFrom('iam-sync-user', 'iam-sync', 'iam-sync/is-synchronous'),
  p: fc.constantFrom(...PROJECTS),
  c: fc.constantFrom(...CLUSTERS),
  body: fc.record({ user_names: fc.subarray(USERS), group_names: fc.subarray(GROUPS) }, { requiredKeys: [] })
}).map((c) => c.method === 'GET' ? { ...c, body: {} } : { ...c, op: 'iam-sync-user' })

/** One request on the agent's kept-alive connections (fetch costs several times more per request); resolves with the status. */
function send (agent: Agent, url: string, method: string, body?: string) {
  return new Promise<number>((resolve, reject) => {
    // Content-Length set here: Node's client frames no DELETE body by itself.
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    const req = request(url, { method, agent, headers }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode!))
    })
    req.on('error', reject)
    req.end(body)
  })
}

interface JournalEntry { method: string, path: string, project_id: string, cluster_id: string, status: number, error_code: string | null, body: SyncBody | null }

for (const duration of [0, 60_000]) {
  t.test(`${CLIENTS} clients × ${PER_CLIENT} mixed requests, sync duration ${duration} ms: every request answered, the journal replays to the same state`, async (t) => {
    const emulator = await startEmulator({ auth: 'off', fixtures: fixture(), journalSize: CLIENTS * PER_CLIENT, syncDurationMs: duration })
    t.teardown(() => emulator.close())
    const { url } = emulator
    const plans = fc.sample(fc.array(call, { minLength: PER_CLIENT, maxLength: PER_CLIENT }), { numRuns: CLIENTS, seed: 42 + duration })
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
    t.teardown(() => agent.destroy())
    let answered = 0
    await Promise.all(plans.map(async (plan) => {
      for (const { method, op, p, c, body } of plan) {
        await send(agent, `${url}/v2/${p}/clusters/${c}/${op}`, method, method === 'GET' ? undefined : JSON.stringify(body))
        answered++
      }
    }))
    t.equal(answered, CLIENTS * PER_CLIENT, 'no request unanswered')

    const { requests } = await (await fetch(`${url}/_emulator/requests`)).json() as { requests: JournalEntry[] }
    t.equal(requests.length, CLIENTS * PER_CLIENT, 'every request journaled')
    // Tasks outlive the test with a long duration, and finish at once with none: time never matters.
    const model: Model = { now: 0, clusters: initial() }
    let mismatches = 0
    for (const entry of requests) {
      const op = entry.path.split('/').slice(5).join('/')
      const wanted = expect(model, entry.method, op, entry.project_id, entry.cluster_id, entry.body ?? {}, duration === 0 ? 0 : Number.MAX_SAFE_INTEGER)
      if (wanted.status !== entry.status || (wanted.code ?? null) !== entry.error_code) mismatches++
    }
    t.equal(mismatches, 0, 'every answer is what the model says, in journal order')

    const state = await (await fetch(`${url}/_emulator/state`)).json() as { projects: Array<{ project_id: string, clusters: Array<{ cluster_id: string, synced_users: string[], synced_groups: string[], sync_task?: unknown }> }> }
    for (const project of state.projects) {
      for (const cluster of project.clusters) {
        const m = model.clusters.get(key(project.project_id, cluster.cluster_id))!
        t.same({ users: cluster.synced_users, groups: cluster.synced_groups, running: cluster.sync_task !== undefined },
          { users: m.users, groups: m.groups, running: m.task !== undefined }, `${project.project_id}/${cluster.cluster_id}`)
      }
    }
  })
}
