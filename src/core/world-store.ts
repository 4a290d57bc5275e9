import type { CancelRequest, SyncRequest } from './api-schema.js'
import {
  clusterNotFound, hinted, iamGroupNotFound, iamUserNotFound, internalError, shorten, operationNotSupported, projectNameTaken, syncInProgress, worldFull
} from './errors.js'
import { LIMITS } from './limits.js'
import type { ClusterBody, Fixture, FixtureCredential } from './fixture-schema.js'
import {
  bodyNames, clusterFromBody, clusterNames, clusterToBody, emptyProject, projectNames, worldFromFixture, worldLimit, worldToFixture,
  type Cluster, type Project, type SyncTask, type World
} from './world.js'

export type { CancelRequest, SyncedNames, SyncRequest } from './api-schema.js'

export interface WorldStoreOptions {
  /** The clock tasks run on, in milliseconds. Tests inject a fake one. */
  now?: () => number
  /** How long a sync task runs. 0 (the default): it finishes before the call returns. */
  syncDurationMs?: number
}

/** IAM sync operations may start only on clusters in these states (an emulator choice). */
const SYNCABLE_STATES: ReadonlySet<string> = new Set(['running', 'abnormal'])

/**
 * The names of `names` that `synced` holds, each once, in the order first given. A short list
 * (most requests name a few) is checked name by name: a Set and its copy cost more than it.
 */
function present (names: readonly string[] | undefined, synced: ReadonlySet<string>): string[] {
  if (names === undefined) return []
  if (names.length > 8) return [...new Set(names)].filter((name) => synced.has(name))
  const kept: string[] = []
  for (const name of names) if (synced.has(name) && !kept.includes(name)) kept.push(name)
  return kept
}

/**
 * The world the emulator serves, and every change to it: projects with their IAM directories
 * and clusters (each cluster's synchronized names and its sync task), the credentials, issued
 * ones included. A task finishes when the clock passes its end: every read settles it first, so
 * no timer runs and a fake clock drives it exactly. Errors are checked in the order of the
 * product design: project, cluster, cluster state, running task, names.
 *
 * `version` grows with every change, so that persistence writes only when something changed.
 */
export class WorldStore {
  #world: World
  readonly #now: () => number
  readonly #durationMs: number
  #version = 0
  /**
   * The cluster found last. Calls mostly name the cluster of the call before, and a Map lookup
   * by an id fresh from the path costs ~1,000 instructions to hash and compare, two strict
   * comparisons a tenth of that. Dropped whenever a cluster or project is added, replaced or removed.
   */
  #last: { projectId: string, clusterId: string, project: Project, cluster: Cluster } | undefined
  /**
   * What the world holds, against its limits (LIMITS.clusters, worldNames): every change that
   * would take it past one is refused, so no caller can grow it without bound. A fixture is
   * checked against them when validated.
   */
  #names = 0
  #clusters = 0
  /** The world's JSON as the control plane answers it, until the next change (tasks settling included). */
  #dumped: Buffer | undefined

  /** A change: the dump is made again; `write`: one the state file must keep. */
  #changed (write = true): void {
    this.#dumped = undefined
    if (write) this.#version++
  }

  constructor (fixture: Fixture, options: WorldStoreOptions = {}) {
    this.#world = worldFromFixture(fixture)
    this.#now = options.now ?? Date.now
    this.#durationMs = options.syncDurationMs ?? 0
    this.#count()
  }

  /** The world's names and clusters, in all. */
  get held (): { names: number, clusters: number } { return { names: this.#names, clusters: this.#clusters } }

  #count (): void {
    this.#names = 0
    this.#clusters = 0
    for (const project of this.#world.projects.values()) {
      this.#names += projectNames(project)
      this.#clusters += project.clusters.size
    }
  }

  get version (): number { return this.#version }
  get credentials (): readonly FixtureCredential[] { return this.#world.credentials }
  /** The world as it is, for the IAM routes to read (changes go through the methods below). */
  get world (): World { return this.#world }

  /** Adds an empty project (IAM's POST /v3/projects); answers its id. */
  addProject (projectId: string, name: string): void {
    this.#world.projects.set(projectId, emptyProject(name))
    this.#last = undefined
    this.#changed()
  }

  /**
   * Adds a credential the emulator issued. Past `bounds.expired` issued ones, the expired ones
   * are dropped (until then they stay, answering "expired" rather than "unknown"); past
   * `bounds.max`, the oldest too.
   */
  issue (credential: FixtureCredential, bounds: { expired: number, max: number }): void {
    let credentials = [...this.#world.credentials, credential]
    const issued = (c: FixtureCredential) => c.issued_at !== undefined
    const max = bounds.max
    if (credentials.filter(issued).length > bounds.expired) {
      const now = this.#now()
      credentials = credentials.filter((c) => !issued(c) || c.expires_at === undefined || Date.parse(c.expires_at) > now)
      const over = credentials.filter(issued).length - max
      if (over > 0) {
        // Issued in order: the first ones are the oldest.
        let dropped = 0
        credentials = credentials.filter((c) => !issued(c) || dropped++ >= over)
      }
    }
    this.#world = { ...this.#world, credentials }
    this.#changed()
  }

  /** CancelSyncIamUser: a task that removes exactly the named users and groups. */
  cancel (projectId: string, clusterId: string, request: CancelRequest): void {
    const cluster = this.#startable(projectId, clusterId)
    // The task keeps the names it will remove, once each: the others would change nothing, and
    // so a caller's names (any length, up to 1,000 a list) never grow the world.
    this.#start(cluster, {
      kind: 'cancel',
      users: present(request.user_names, cluster.syncedUsers),
      groups: present(request.group_names, cluster.syncedGroups),
      endsAt: this.#endsAt()
    }, 0)
  }

  /** UpdateSyncIamUser: a task that adds the named users, their groups and the named groups. */
  sync (projectId: string, clusterId: string, request: SyncRequest): void {
    const cluster = this.#startable(projectId, clusterId)
    const iam = this.#last!.project.iam
    let users: Set<string>
    let groups: Set<string>
    if (request.is_all_sync === true) {
      users = new Set(iam.users.keys())
      groups = new Set(iam.groups)
    } else {
      // Once each: a user named 1,000 times, with all its groups, is one user and its groups.
      users = new Set(request.user_names)
      groups = new Set()
      for (const name of users) {
        const user = iam.users.get(name)
        if (user === undefined) throw iamUserNotFound(name)
        for (const group of user.groups) groups.add(group)
      }
      for (const name of request.group_names ?? []) {
        if (!iam.groups.has(name)) throw iamGroupNotFound(name)
        groups.add(name)
      }
    }
    let added = 0
    for (const name of users) if (!cluster.syncedUsers.has(name)) added++
    for (const name of groups) if (!cluster.syncedGroups.has(name)) added++
    this.#start(cluster, { kind: 'sync', users: [...users], groups: [...groups], endsAt: this.#endsAt() }, added)
  }

  /** ShowSyncIamUser: the names synchronized to the cluster now. */
  /** ShowSyncIamUser's JSON answer, kept until the names change: a large cluster is read far more than written. */
  showJson (projectId: string, clusterId: string): Buffer {
    const cluster = this.#cluster(projectId, clusterId)
    cluster.shown ??= Buffer.from(JSON.stringify({ user_names: [...cluster.syncedUsers], group_names: [...cluster.syncedGroups] }))
    return cluster.shown
  }

  /** ListSyncStatus: whether a sync task runs on the cluster now. */
  isSynchronizing (projectId: string, clusterId: string): boolean {
    return this.#cluster(projectId, clusterId).task !== undefined
  }

  /** ListSyncRequirements: whether a sync task has completed and none runs. */
  isSynchronous (projectId: string, clusterId: string): boolean {
    return this.#cluster(projectId, clusterId).isSynchronous
  }

  /** Finishes the running tasks now (of one project, or one cluster, when named); answers how many there were. */
  completeAll (projectId?: string, clusterId?: string): number {
    let finished = 0
    for (const [id, project] of this.#world.projects) {
      if (projectId !== undefined && id !== projectId) continue
      for (const [name, cluster] of project.clusters) {
        if (cluster.task !== undefined && (clusterId === undefined || name === clusterId)) {
          this.#finish(cluster, cluster.task)
          finished++
        }
      }
    }
    return finished
  }

  /**
   * Finishes the tasks whose end the clock has passed, as a change to write: after the clock
   * moved forward, which a restart would forget. Answers how many.
   */
  settleDue (): number {
    let finished = 0
    for (const project of this.#world.projects.values()) {
      for (const cluster of project.clusters.values()) if (this.#settle(cluster)) finished++
    }
    if (finished > 0) this.#changed()
    return finished
  }

  /**
   * Puts one project back as `fixture` has it (removes it when the fixture lacks it): its
   * clusters, IAM directory, credentials and running tasks. Other projects are untouched.
   */
  resetProject (projectId: string, fixture: Fixture): void {
    const fresh = worldFromFixture({
      projects: fixture.projects.filter((project) => project.project_id === projectId),
      credentials: (fixture.credentials ?? []).filter((credential) => credential.project_id === projectId)
    })
    const projects = this.#world.projects
    const restored = fresh.projects.get(projectId)
    if (restored !== undefined) this.#checkName(restored.name, projectId)
    const current = projects.get(projectId)
    if (restored !== undefined) {
      // The other projects may have grown since: the restored one must still fit beside them.
      if (current === undefined && projects.size >= LIMITS.projects.value) throw worldFull(worldLimit('projects'))
      if (this.#clusters - (current?.clusters.size ?? 0) + restored.clusters.size > LIMITS.clusters.value) throw worldFull(worldLimit('clusters'))
      if (this.#names - (current === undefined ? 0 : projectNames(current)) + projectNames(restored) > LIMITS.worldNames.value) throw worldFull(worldLimit('worldNames'))
    }
    if (restored === undefined) projects.delete(projectId)
    else projects.set(projectId, restored)
    this.#world = {
      domain: this.#world.domain,
      projects,
      credentials: [...this.#world.credentials.filter((credential) => credential.project_id !== projectId), ...fresh.credentials]
    }
    this.#count()
    this.#last = undefined
    this.#changed()
  }

  /** The whole world in the fixture format, tasks settled first. */
  dump (): Fixture {
    this.#settleAll()
    return worldToFixture(this.#world)
  }

  /**
   * `dump()` as JSON, made once per change: a world at its limits is ~7 MB of JSON, and a
   * client asking for it again and again (or a thousand at once) would otherwise have it made,
   * and cost ~50 ms of CPU, every time.
   */
  dumpJson (): Buffer {
    this.#settleAll()
    return (this.#dumped ??= Buffer.from(JSON.stringify(worldToFixture(this.#world))))
  }

  #settleAll (): void {
    for (const project of this.#world.projects.values()) {
      for (const cluster of project.clusters.values()) this.#settle(cluster)
    }
  }

  /** Replaces the whole world (reset, state upload). */
  replace (fixture: Fixture): void {
    this.#world = worldFromFixture(fixture)
    this.#count()
    this.#last = undefined
    this.#changed()
  }

  /** A cluster as the control plane shows it; undefined when absent. */
  getCluster (projectId: string, clusterId: string): ClusterBody | undefined {
    const cluster = this.#world.projects.get(projectId)?.clusters.get(clusterId)
    if (cluster === undefined) return undefined
    this.#settle(cluster)
    return clusterToBody(cluster)
  }

  /** Creates or replaces a cluster, and its project if absent; answers whether it was created. */
  putCluster (projectId: string, clusterId: string, body: ClusterBody): boolean {
    let project = this.#world.projects.get(projectId)
    const old = project?.clusters.get(clusterId)
    if (project === undefined && this.#world.projects.size >= LIMITS.projects.value) throw worldFull(worldLimit('projects'))
    if (old === undefined && this.#clusters >= LIMITS.clusters.value) throw worldFull(worldLimit('clusters'))
    const names = this.#names - (old === undefined ? 0 : clusterNames(old)) + bodyNames(body)
    if (names > LIMITS.worldNames.value) throw worldFull(worldLimit('worldNames'))
    if (project === undefined) {
      this.#checkName(projectId, projectId)
      project = emptyProject(projectId)
      this.#world.projects.set(projectId, project)
    }
    const created = old === undefined
    const cluster = clusterFromBody(body)
    project.clusters.set(clusterId, cluster)
    this.#names += clusterNames(cluster) - (old === undefined ? 0 : clusterNames(old))
    if (created) this.#clusters++
    this.#last = undefined
    this.#changed()
    return created
  }

  /** Removes a cluster; answers whether it existed. */
  deleteCluster (projectId: string, clusterId: string): boolean {
    const clusters = this.#world.projects.get(projectId)?.clusters
    const cluster = clusters?.get(clusterId)
    this.#last = undefined
    if (cluster === undefined) return false
    clusters!.delete(clusterId)
    this.#names -= clusterNames(cluster)
    this.#clusters--
    this.#changed()
    return true
  }

  /** A project may take `name` unless another one has it. */
  #checkName (name: string, projectId: string): void {
    for (const [id, project] of this.#world.projects) if (id !== projectId && project.name === name) throw projectNameTaken(name, id)
  }

  /**
   * Finishes the cluster's task if the clock has passed its end. Not a change to write: the
   * task and its end are in the state file already, and settle the same way once loaded; so a
   * read never waits for (or fails with) a write.
   */
  #settle (cluster: Cluster): boolean {
    if (cluster.task === undefined || this.#now() < cluster.task.endsAt) return false
    this.#finish(cluster, cluster.task, false)
    return true
  }

  #cluster (projectId: string, clusterId: string): Cluster {
    let last = this.#last
    if (last === undefined || last.clusterId !== clusterId || last.projectId !== projectId) {
      const project = this.#world.projects.get(projectId)
      const cluster = project?.clusters.get(clusterId)
      if (cluster === undefined) {
        // The service says the same of an unknown project and an unknown cluster: the log says which.
        throw hinted(clusterNotFound(), project === undefined
          ? `No project ${shorten(projectId)} in the emulator's world (GET /_emulator/state lists them).`
          : `Project ${shorten(projectId)} has no cluster ${shorten(clusterId)}.`)
      }
      last = this.#last = { projectId, clusterId, project: project!, cluster }
    }
    this.#settle(last.cluster)
    return last.cluster
  }

  /** When a task started now ends; the clock is not read when tasks end at once. */
  #endsAt (): number {
    return this.#durationMs === 0 ? 0 : this.#now() + this.#durationMs
  }

  #startable (projectId: string, clusterId: string): Cluster {
    const cluster = this.#cluster(projectId, clusterId)
    if (!SYNCABLE_STATES.has(cluster.state)) {
      throw operationNotSupported(`The operation is not supported. The cluster is ${cluster.state}; IAM synchronization needs a running or abnormal cluster.`)
    }
    if (cluster.task !== undefined) throw syncInProgress(clusterId)
    return cluster
  }

  /**
   * Starts `task`, which adds `added` names when it finishes: refused (500 `12000004`, as the
   * service answers what it cannot do) when the world would then hold more than its limit.
   */
  #start (cluster: Cluster, task: SyncTask, added: number): void {
    const held = task.users.length + task.groups.length
    if (this.#names + held + added > LIMITS.worldNames.value) throw internalError()
    this.#names += held
    cluster.task = task
    cluster.isSynchronous = false
    this.#changed()
    if (this.#durationMs === 0) this.#finish(cluster, task)
  }

  #finish (cluster: Cluster, task: SyncTask, change = true): void {
    const before = clusterNames(cluster)
    if (task.kind === 'sync') {
      for (const name of task.users) cluster.syncedUsers.add(name)
      for (const name of task.groups) cluster.syncedGroups.add(name)
    } else {
      for (const name of task.users) cluster.syncedUsers.delete(name)
      for (const name of task.groups) cluster.syncedGroups.delete(name)
    }
    cluster.task = undefined
    cluster.isSynchronous = true
    cluster.shown = undefined
    this.#names += clusterNames(cluster) - before
    this.#changed(change)
  }
}
