import {
  clusterNotFound, iamGroupNotFound, iamUserNotFound, operationNotSupported, syncInProgress
} from './errors.js'
import type { Cluster, SyncTask, World } from './world.js'

export interface CancelRequest { user_names?: string[], group_names?: string[] }
export interface SyncRequest extends CancelRequest { is_all_sync?: boolean }
export interface SyncedNames { user_names: string[], group_names: string[] }

export interface SyncStoreOptions {
  /** The clock tasks run on, in milliseconds. Tests inject a fake one. */
  now?: () => number
  /** How long a sync task runs. 0 (the default): it finishes before the call returns. */
  syncDurationMs?: number
}

/** IAM sync operations may start only on clusters in these states (an emulator choice). */
const SYNCABLE_STATES: ReadonlySet<string> = new Set(['running', 'abnormal'])

/**
 * The per-cluster IAM synchronization state and its tasks. A task finishes when the clock
 * passes its end: every read settles it first, so no timer runs and a fake clock drives
 * it exactly. Errors are checked in the order of the product design: project, cluster,
 * cluster state, running task, names.
 */
export class SyncStore {
  readonly #world: World
  readonly #now: () => number
  readonly #durationMs: number

  constructor (world: World, options: SyncStoreOptions = {}) {
    this.#world = world
    this.#now = options.now ?? Date.now
    this.#durationMs = options.syncDurationMs ?? 0
  }

  /** CancelSyncIamUser: a task that removes exactly the named users and groups. */
  cancel (projectId: string, clusterId: string, request: CancelRequest): void {
    const cluster = this.#startable(projectId, clusterId)
    this.#start(cluster, {
      kind: 'cancel',
      users: request.user_names ?? [],
      groups: request.group_names ?? [],
      endsAt: this.#now() + this.#durationMs
    })
  }

  /** UpdateSyncIamUser: a task that adds the named users, their groups and the named groups. */
  sync (projectId: string, clusterId: string, request: SyncRequest): void {
    const cluster = this.#startable(projectId, clusterId)
    const iam = this.#world.get(projectId)!.iam
    let users: string[]
    let groups: string[]
    if (request.is_all_sync === true) {
      users = [...iam.users.keys()]
      groups = [...iam.groups]
    } else {
      users = request.user_names ?? []
      groups = []
      for (const name of users) {
        const memberOf = iam.users.get(name)
        if (memberOf === undefined) throw iamUserNotFound(name)
        groups.push(...memberOf)
      }
      for (const name of request.group_names ?? []) {
        if (!iam.groups.has(name)) throw iamGroupNotFound(name)
        groups.push(name)
      }
    }
    this.#start(cluster, { kind: 'sync', users, groups, endsAt: this.#now() + this.#durationMs })
  }

  /** ShowSyncIamUser: the names synchronized to the cluster now. */
  show (projectId: string, clusterId: string): SyncedNames {
    const cluster = this.#cluster(projectId, clusterId)
    return { user_names: [...cluster.syncedUsers], group_names: [...cluster.syncedGroups] }
  }

  /** ListSyncStatus: whether a sync task runs on the cluster now. */
  isSynchronizing (projectId: string, clusterId: string): boolean {
    return this.#cluster(projectId, clusterId).task !== undefined
  }

  /** ListSyncRequirements: whether a sync task has completed and none runs. */
  isSynchronous (projectId: string, clusterId: string): boolean {
    return this.#cluster(projectId, clusterId).isSynchronous
  }

  /** Finishes every running task now; answers how many there were. */
  completeAll (): number {
    let finished = 0
    for (const project of this.#world.values()) {
      for (const cluster of project.clusters.values()) {
        if (cluster.task !== undefined) {
          finish(cluster, cluster.task)
          finished++
        }
      }
    }
    return finished
  }

  #cluster (projectId: string, clusterId: string): Cluster {
    const cluster = this.#world.get(projectId)?.clusters.get(clusterId)
    if (cluster === undefined) throw clusterNotFound()
    if (cluster.task !== undefined && this.#now() >= cluster.task.endsAt) finish(cluster, cluster.task)
    return cluster
  }

  #startable (projectId: string, clusterId: string): Cluster {
    const cluster = this.#cluster(projectId, clusterId)
    if (!SYNCABLE_STATES.has(cluster.state)) {
      throw operationNotSupported(`The operation is not supported. The cluster is ${cluster.state}; IAM synchronization needs a running or abnormal cluster.`)
    }
    if (cluster.task !== undefined) throw syncInProgress(clusterId)
    return cluster
  }

  #start (cluster: Cluster, task: SyncTask): void {
    cluster.task = task
    cluster.isSynchronous = false
    if (this.#durationMs === 0) finish(cluster, task)
  }
}

function finish (cluster: Cluster, task: SyncTask): void {
  if (task.kind === 'sync') {
    for (const name of task.users) cluster.syncedUsers.add(name)
    for (const name of task.groups) cluster.syncedGroups.add(name)
  } else {
    for (const name of task.users) cluster.syncedUsers.delete(name)
    for (const name of task.groups) cluster.syncedGroups.delete(name)
  }
  cluster.task = undefined
  cluster.isSynchronous = true
}
