import { Type, type Static } from '@sinclair/typebox'
import { ClusterIdSchema, ProjectIdSchema } from './api-schema.js'
import { FaultRuleSchema } from './fault-schema.js'

export { ClusterIdSchema, ProjectIdSchema }

/** The MRS cluster states of the API reference. */
export const CLUSTER_STATES = ['starting', 'running', 'terminated', 'failed', 'abnormal', 'terminating',
  'frozen', 'scaling-out', 'scaling-in', 'stopped'] as const
export const ClusterStateSchema = Type.Union(CLUSTER_STATES.map((state) => Type.Literal(state)), { description: 'MRS cluster state.' })
export type ClusterState = Static<typeof ClusterStateSchema>

const Names = (description: string) => Type.Array(Type.String(), { description })

/** A sync task that runs on the cluster: what it changes when it finishes at `ends_at`. */
export const SyncTaskSchema = Type.Object({
  kind: Type.Union([Type.Literal('sync'), Type.Literal('cancel')], { description: 'sync adds the names when the task finishes; cancel removes them.' }),
  user_names: Names('The users the task adds or removes.'),
  group_names: Names('The groups the task adds or removes.'),
  ends_at: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'When the task finishes (UTC, ISO 8601).' })
}, { additionalProperties: false })

/** A cluster as the control plane sets it: a fixture cluster without its id. */
export const ClusterBodySchema = Type.Object({
  state: ClusterStateSchema,
  synced_users: Names('IAM users synchronized to the cluster.'),
  synced_groups: Names('IAM user groups synchronized to the cluster.'),
  is_synchronous: Type.Optional(Type.Boolean({ description: 'Whether an IAM sync task has completed (default false).' })),
  sync_task: Type.Optional(SyncTaskSchema)
}, { additionalProperties: false })

export const FixtureClusterSchema = Type.Composite([Type.Object({ cluster_id: ClusterIdSchema }), ClusterBodySchema], { additionalProperties: false })

export const FixtureProjectSchema = Type.Object({
  project_id: ProjectIdSchema,
  iam: Type.Object({
    users: Type.Array(Type.Object({
      name: Type.String({ minLength: 1 }),
      groups: Names('The groups the user belongs to; each must be listed in iam.groups.')
    }, { additionalProperties: false })),
    groups: Names('The IAM user groups of the project.')
  }, { additionalProperties: false, description: 'The IAM directory of the project.' }),
  clusters: Type.Array(FixtureClusterSchema)
}, { additionalProperties: false })

export const FixtureCredentialSchema = Type.Union([
  Type.Object({
    access_key: Type.String({ minLength: 1 }),
    secret_key: Type.String({ minLength: 1 }),
    security_token: Type.Optional(Type.String({ minLength: 1, description: 'Temporary keys: the X-Security-Token they must be used with.' })),
    project_id: ProjectIdSchema
  }, { additionalProperties: false, description: 'An AK/SK pair bound to one project.' }),
  Type.Object({
    token: Type.String({ minLength: 1 }),
    project_id: ProjectIdSchema
  }, { additionalProperties: false, description: 'An X-Auth-Token bound to one project.' })
])

/** The fixture file: the world the emulator starts with (also the state file format). */
export const FixtureSchema = Type.Object({
  projects: Type.Array(FixtureProjectSchema),
  credentials: Type.Optional(Type.Array(FixtureCredentialSchema)),
  faults: Type.Optional(Type.Array(FaultRuleSchema, { description: 'Fault rules installed at start and on reset.' }))
}, { additionalProperties: false })

export type Fixture = Static<typeof FixtureSchema>
export type FixtureProject = Static<typeof FixtureProjectSchema>
export type FixtureCluster = Static<typeof FixtureClusterSchema>
export type ClusterBody = Static<typeof ClusterBodySchema>
export type FixtureSyncTask = Static<typeof SyncTaskSchema>
export type FixtureCredential = Static<typeof FixtureCredentialSchema>
