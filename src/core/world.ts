import { LIMITS, worded } from './limits.js'
import { DEFAULT_DOMAIN, type ClusterBody, type ClusterState, type Domain, type Fixture, type FixtureCredential } from './fixture-schema.js'

/** A sync task: what it will change when it finishes at `endsAt` (ms on the store's clock). */
export interface SyncTask {
  readonly kind: 'sync' | 'cancel'
  readonly users: readonly string[]
  readonly groups: readonly string[]
  readonly endsAt: number
}

export interface Cluster {
  state: ClusterState
  readonly syncedUsers: Set<string>
  readonly syncedGroups: Set<string>
  isSynchronous: boolean
  task?: SyncTask
  /** ShowSyncIamUser's answer, serialised once per change of the names. */
  shown?: Buffer
}

/** An IAM user: the groups it belongs to, and the password it gets a token with (strict mode). */
export interface IamUser {
  readonly groups: readonly string[]
  readonly password?: string
}

/** An IAM directory: user name → the user, and the groups. */
export interface IamDirectory {
  readonly users: Map<string, IamUser>
  readonly groups: Set<string>
}

export interface Project {
  /** Its IAM name: the region (`cn-north-4`) or `<region>_<name>`; the project id when the fixture gives none. */
  readonly name: string
  readonly iam: IamDirectory
  /** cluster_id → cluster; ids are unique within a project only. */
  readonly clusters: Map<string, Cluster>
}

/**
 * Everything the emulator knows: projects by id, and the credentials strict mode accepts.
 * Maps and Sets throughout, so that any name a client sends (`__proto__`, `constructor`)
 * is plain data.
 */
export interface World {
  readonly domain: Domain
  readonly projects: Map<string, Project>
  readonly credentials: readonly FixtureCredential[]
}

const WORLD_NOUNS = { projects: 'projects', clusters: 'clusters', worldNames: 'names' } as const

/** One of the world's limits in words: `10,000 clusters`. */
export const worldLimit = (name: keyof typeof WORLD_NOUNS): string => `${worded(LIMITS[name])} ${WORLD_NOUNS[name]}`

/** The names a cluster holds: its synchronized users and groups, and those of its task. */
export const clusterNames = (cluster: Cluster): number =>
  cluster.syncedUsers.size + cluster.syncedGroups.size + (cluster.task === undefined ? 0 : cluster.task.users.length + cluster.task.groups.length)

/** The names a cluster body holds, counted as written (duplicates too: at least what it makes). */
export const bodyNames = (body: ClusterBody): number =>
  body.synced_users.length + body.synced_groups.length + (body.sync_task === undefined ? 0 : body.sync_task.user_names.length + body.sync_task.group_names.length)

/** The names a project holds: its IAM directory (users, groups, memberships) and its clusters'. */
export function projectNames (project: Project): number {
  let names = project.iam.groups.size
  for (const user of project.iam.users.values()) names += 1 + user.groups.length
  for (const cluster of project.clusters.values()) names += clusterNames(cluster)
  return names
}

export function clusterFromBody (body: ClusterBody): Cluster {
  const cluster: Cluster = {
    state: body.state,
    syncedUsers: new Set(body.synced_users),
    syncedGroups: new Set(body.synced_groups),
    isSynchronous: body.is_synchronous ?? false
  }
  if (body.sync_task !== undefined) {
    const task = body.sync_task
    cluster.task = { kind: task.kind, users: [...task.user_names], groups: [...task.group_names], endsAt: Date.parse(task.ends_at) }
  }
  return cluster
}

export function clusterToBody (cluster: Cluster): ClusterBody {
  const body: ClusterBody = {
    state: cluster.state,
    synced_users: [...cluster.syncedUsers],
    synced_groups: [...cluster.syncedGroups],
    is_synchronous: cluster.isSynchronous
  }
  if (cluster.task !== undefined) {
    const task = cluster.task
    body.sync_task = { kind: task.kind, user_names: [...task.users], group_names: [...task.groups], ends_at: new Date(task.endsAt).toISOString() }
  }
  return body
}

export const emptyProject = (name: string): Project => ({ name, iam: { users: new Map(), groups: new Set() }, clusters: new Map() })

/** Builds the world from an already validated fixture (see `validateFixture`). */
export function worldFromFixture (fixture: Fixture): World {
  const projects = new Map<string, Project>()
  for (const project of fixture.projects) {
    projects.set(project.project_id, {
      name: project.name ?? project.project_id,
      iam: {
        users: new Map(project.iam.users.map((user) => [user.name, user.password === undefined ? { groups: [...user.groups] } : { groups: [...user.groups], password: user.password }])),
        groups: new Set(project.iam.groups)
      },
      clusters: new Map(project.clusters.map((cluster) => [cluster.cluster_id, clusterFromBody(cluster)]))
    })
  }
  return { domain: { ...(fixture.domain ?? DEFAULT_DOMAIN) }, projects, credentials: structuredClone(fixture.credentials ?? []) }
}

/** The world in the fixture format: what the state file holds and the control plane dumps. */
export function worldToFixture (world: World): Fixture {
  return {
    domain: { ...world.domain },
    projects: [...world.projects].map(([projectId, project]) => ({
      project_id: projectId,
      name: project.name,
      iam: {
        users: [...project.iam.users].map(([name, user]) => user.password === undefined
          ? { name, groups: [...user.groups] }
          : { name, groups: [...user.groups], password: user.password }),
        groups: [...project.iam.groups]
      },
      clusters: [...project.clusters].map(([clusterId, cluster]) => ({ cluster_id: clusterId, ...clusterToBody(cluster) }))
    })),
    credentials: structuredClone([...world.credentials])
  }
}
