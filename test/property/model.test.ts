import fc from 'fast-check'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { CLUSTERS, DURATION, expect, finish, fixture, GROUPS, initial, key, PROJECTS, USERS, type Model } from '../reference-model.js'
import { buildApp } from '../../src/app.js'
import { fakeClock } from '../helpers.js'

// Random sequences of requests: ~10 s alone, near tap's default 30 s on a busy machine.
t.setTimeout(120_000)

/** The emulator against the reference model on random sequences of operations, control-plane edits and clock advances. */
interface Real { app: FastifyInstance, advance: (ms: number) => void, t: Test }

class ApiCommand implements fc.AsyncCommand<Model, Real> {
  constructor (readonly method: 'GET' | 'POST' | 'DELETE', readonly op: string, readonly p: string, readonly c: string, readonly body: { user_names?: string[], group_names?: string[], is_all_sync?: boolean }) {}
  check () { return true }
  async run (m: Model, r: Real) {
    const wanted = expect(m, this.method, this.op, this.p, this.c, this.body)
    const res = await r.app.inject({ method: this.method, url: `/v2/${this.p}/clusters/${this.c}/${this.op}`, headers: { 'x-auth-token': 't' }, ...(this.method === 'GET' ? {} : { payload: this.body }) })
    r.t.equal(res.statusCode, wanted.status, this.toString())
    if (wanted.code !== undefined) r.t.equal(res.json().error_code, wanted.code, this.toString())
    if (wanted.body !== undefined) r.t.same(res.json(), wanted.body, this.toString())
    if (res.statusCode !== wanted.status) throw new Error(`${this} answered ${res.statusCode} ${res.body}, the model says ${JSON.stringify(wanted)}`)
  }

  toString () { return `${this.method} ${this.p}/${this.c}/${this.op} ${JSON.stringify(this.body)}` }
}

class AdvanceClock implements fc.AsyncCommand<Model, Real> {
  constructor (readonly ms: number) {}
  check () { return true }
  async run (m: Model, r: Real) { m.now += this.ms; r.advance(this.ms) }
  toString () { return `advance ${this.ms}` }
}

class CompleteTasks implements fc.AsyncCommand<Model, Real> {
  check () { return true }
  async run (m: Model, r: Real) {
    let n = 0
    for (const c of m.clusters.values()) if (c.task !== undefined) { finish(c); n++ }
    r.t.same((await r.app.inject({ method: 'POST', url: '/_emulator/tasks/complete' })).json(), { completed: n })
  }

  toString () { return 'complete tasks' }
}

class Reset implements fc.AsyncCommand<Model, Real> {
  check () { return true }
  async run (m: Model, r: Real) {
    m.clusters = initial()
    r.t.equal((await r.app.inject({ method: 'POST', url: '/_emulator/reset' })).statusCode, 200)
  }

  toString () { return 'reset' }
}

class PutCluster implements fc.AsyncCommand<Model, Real> {
  constructor (readonly p: string, readonly c: string, readonly state: string, readonly users: string[]) {}
  check () { return true }
  async run (m: Model, r: Real) {
    const users = [...new Set(this.users)]
    m.clusters.set(key(this.p, this.c), { state: this.state, users, groups: [], synchronous: false })
    const res = await r.app.inject({ method: 'PUT', url: `/_emulator/projects/${this.p}/clusters/${this.c}`, payload: { state: this.state, synced_users: users, synced_groups: [] } })
    r.t.ok(res.statusCode === 200 || res.statusCode === 201)
  }

  toString () { return `put ${this.p}/${this.c} ${this.state} ${JSON.stringify(this.users)}` }
}

const names = <T>(from: T[]) => fc.option(fc.subarray(from), { nil: undefined })
const commands = [
  fc.tuple(fc.constantFrom(...PROJECTS), fc.constantFrom(...CLUSTERS), names(USERS), names(GROUPS))
    .map(([p, c, u, g]) => new ApiCommand('DELETE', 'iam-sync-user', p, c, { user_names: u, group_names: g })),
  fc.tuple(fc.constantFrom(...PROJECTS), fc.constantFrom(...CLUSTERS), names(USERS), names(GROUPS), fc.option(fc.boolean(), { nil: undefined }))
    .map(([p, c, u, g, all]) => new ApiCommand('POST', 'iam-sync-user', p, c, { user_names: u, group_names: g, ...(all === undefined ? {} : { is_all_sync: all }) })),
  fc.tuple(fc.constantFrom(...PROJECTS), fc.constantFrom(...CLUSTERS), fc.constantFrom('iam-sync-user', 'iam-sync', 'iam-sync/is-synchronous'))
    .map(([p, c, op]) => new ApiCommand('GET', op, p, c, {})),
  fc.integer({ min: 0, max: 2 * DURATION }).map((ms) => new AdvanceClock(ms)),
  fc.constant(new CompleteTasks()),
  fc.constant(new Reset()),
  fc.tuple(fc.constantFrom(...PROJECTS), fc.constantFrom(...CLUSTERS), fc.constantFrom('running', 'abnormal', 'stopped', 'frozen'), fc.subarray(USERS))
    .map(([p, c, s, u]) => new PutCluster(p, c, s, u))
]

t.test('random sequences of operations agree with the reference model', async (t) => {
  await fc.assert(fc.asyncProperty(fc.commands(commands, { maxCommands: 60 }), async (cmds) => {
    const clock = fakeClock()
    const app = await buildApp({ fixtures: fixture(), now: clock.now, syncDurationMs: DURATION })
    try {
      await fc.asyncModelRun(() => ({ model: { now: clock.now(), clusters: initial() }, real: { app, advance: clock.advance, t } }), cmds)
    } finally {
      await app.close()
    }
  }), { numRuns: 150 })
})
