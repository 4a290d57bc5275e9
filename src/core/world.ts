import type { ClusterState, Fixture } from './fixture-schema.js'

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
}

/** An IAM directory: user name → the groups the user belongs to, and the groups. */
export interface IamDirectory {
  readonly users: Map<string, readonly string[]>
  readonly groups: Set<string>
}

export interface Project {
  readonly iam: IamDirectory
  /** cluster_id → cluster; ids are unique within a project only. */
  readonly clusters: Map<string, Cluster>
}

/**
 * project_id → project. Maps and Sets throughout, so that any name a client sends
 * (`__proto__`, `constructor`) is plain data.
 */
export type World = Map<string, Project>

/** Builds the world from an already validated fixture (see `parseFixture`). */
export function worldFromFixture (fixture: Fixture): World {
  const world: World = new Map()
  for (const project of fixture.projects) {
    world.set(project.project_id, {
      iam: {
        users: new Map(project.iam.users.map((user) => [user.name, [...user.groups]])),
        groups: new Set(project.iam.groups)
      },
      clusters: new Map(project.clusters.map((cluster) => [cluster.cluster_id, {
        state: cluster.state,
        syncedUsers: new Set(cluster.synced_users),
        syncedGroups: new Set(cluster.synced_groups),
        isSynchronous: cluster.is_synchronous ?? false
      }]))
    })
  }
  return world
}
