import type { Fixture } from '../src/core/fixture-schema.js'

/**
 * A reference model of the product design's state rules (PRODUCT §2), small enough to read
 * at a glance, that tests run side by side with the emulator.
 */
export const DURATION = 1000
export const PROJECTS = ['p1', 'p2']
export const CLUSTERS = ['c1', 'c2', 'c3']
export const USERS = ['u1', 'u2', 'u3', 'ghost']
export const GROUPS = ['g1', 'g2', 'nogroup']
const DIRECTORY = new Map<string, string[]>([['u1', ['g1']], ['u2', []], ['u3', ['g1', 'g2']]])
const GROUPS_OF_P1 = ['g1', 'g2']

export const fixture = (): Fixture => ({
  projects: [{
    project_id: 'p1',
    iam: { users: [...DIRECTORY].map(([name, g]) => ({ name, groups: g })), groups: GROUPS_OF_P1 },
    clusters: [
      { cluster_id: 'c1', state: 'running', synced_users: [], synced_groups: [] },
      { cluster_id: 'c2', state: 'stopped', synced_users: ['u1'], synced_groups: [] }
    ]
  }]
})

export interface SyncBody { user_names?: string[], group_names?: string[], is_all_sync?: boolean }
export interface ModelCluster { state: string, users: string[], groups: string[], synchronous: boolean, task?: { kind: 'sync' | 'cancel', users: string[], groups: string[], endsAt: number } }
export interface Model { now: number, clusters: Map<string, ModelCluster> }

export const key = (p: string, c: string) => `${p}/${c}`
export function initial (): Map<string, ModelCluster> {
  const clusters = new Map<string, ModelCluster>()
  for (const p of fixture().projects) for (const c of p.clusters) clusters.set(key(p.project_id, c.cluster_id), { state: c.state, users: [...c.synced_users], groups: [...c.synced_groups], synchronous: false })
  return clusters
}
const add = (list: string[], names: string[]) => { for (const n of names) if (!list.includes(n)) list.push(n) }
const remove = (list: string[], names: string[]) => list.filter((n) => !names.includes(n))
export function finish (c: ModelCluster) {
  const task = c.task!
  if (task.kind === 'sync') { add(c.users, task.users); add(c.groups, task.groups) } else { c.users = remove(c.users, task.users); c.groups = remove(c.groups, task.groups) }
  c.task = undefined
  c.synchronous = true
}
function settle (m: Model, p: string, c: string): ModelCluster | undefined {
  const cluster = m.clusters.get(key(p, c))
  if (cluster?.task !== undefined && m.now >= cluster.task.endsAt) finish(cluster)
  return cluster
}

/** What the model answers: status and error code, or the success body. */
export function expect (m: Model, method: string, op: string, p: string, c: string, body: SyncBody, duration = DURATION): { status: number, code?: string, body?: unknown } {
  const cluster = settle(m, p, c)
  if (cluster === undefined) return { status: 400, code: '12000003' }
  if (method === 'GET') {
    if (op === 'iam-sync-user') return { status: 200, body: { user_names: cluster.users, group_names: cluster.groups } }
    if (op === 'iam-sync') return { status: 200, body: { is_synchronizing: cluster.task !== undefined } }
    return { status: 200, body: { is_synchronous: cluster.synchronous } }
  }
  if (cluster.state !== 'running' && cluster.state !== 'abnormal') return { status: 400, code: '12000054' }
  if (cluster.task !== undefined) return { status: 500, code: '12000154' }
  let users = body.user_names ?? []
  let gs = body.group_names ?? []
  if (method === 'POST') {
    // Only p1 has an IAM directory; a project the control plane creates starts with an empty one.
    const directory = p === 'p1' ? DIRECTORY : new Map<string, string[]>()
    const groups = p === 'p1' ? GROUPS_OF_P1 : []
    if (body.is_all_sync === true) {
      users = [...directory.keys()]
      gs = [...groups]
    } else {
      const memberOf: string[] = []
      for (const u of users) {
        if (!directory.has(u)) return { status: 500, code: '12000157' }
        memberOf.push(...directory.get(u)!)
      }
      for (const g of gs) if (!groups.includes(g)) return { status: 500, code: '12000156' }
      gs = [...memberOf, ...gs]
    }
  }
  cluster.task = { kind: method === 'POST' ? 'sync' : 'cancel', users, groups: gs, endsAt: m.now + duration }
  cluster.synchronous = false
  if (duration === 0) finish(cluster) // done before the 202 is sent
  return { status: 202, body: { state: 'synchronizing' } }
}
