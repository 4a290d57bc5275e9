import { Type, type Static } from '@sinclair/typebox'
import { ClusterIdSchema, ProjectIdSchema } from './api-schema.js'
import { FaultRuleSchema } from './fault-schema.js'
import { LIMITS, worded } from './limits.js'

/** The MRS cluster states of the API reference. */
export const CLUSTER_STATES = ['starting', 'running', 'terminated', 'failed', 'abnormal', 'terminating',
  'frozen', 'scaling-out', 'scaling-in', 'stopped'] as const
export const ClusterStateSchema = Type.Union(CLUSTER_STATES.map((state) => Type.Literal(state)), { description: 'MRS cluster state.' })
export type ClusterState = Static<typeof ClusterStateSchema>

const NAME_LENGTH = LIMITS.nameLength.value
const Name = (options: { minLength?: number } = {}) => Type.String({ ...options, maxLength: NAME_LENGTH })
/** A key, a token or a password: bounded like what carries it (a header). */
const Secret = (description?: string) => Type.String({ minLength: 1, maxLength: LIMITS.credentialLength.value, ...(description === undefined ? {} : { description }) })
const Names = (description: string) => Type.Array(Name(), { description: `${description} Each at most ${NAME_LENGTH} characters.` })

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

/** A time as the fixtures write it: UTC, ISO 8601. */
const Instant = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', 'x-expected': 'a UTC time such as 2026-01-01T00:00:00Z', description })

/** A project's name: its region (`cn-north-4`) or a sub-project `<region>_<name>`, as IAM names them. */
export const ProjectNameSchema = Type.String({ minLength: 1, maxLength: 64, description: 'The project name: its region (cn-north-4), or <region>_<name> for a sub-project. Default: the project_id.' })

export const FixtureProjectSchema = Type.Object({
  project_id: ProjectIdSchema,
  name: Type.Optional(ProjectNameSchema),
  iam: Type.Object({
    users: Type.Array(Type.Object({
      name: Name({ minLength: 1 }),
      groups: Names('The groups the user belongs to; each must be listed in iam.groups.'),
      password: Type.Optional(Secret('The password POST /v3/auth/tokens takes in strict mode (without one, the user gets no token in strict mode).'))
    }, { additionalProperties: false })),
    groups: Names('The IAM user groups of the project.')
  }, { additionalProperties: false, description: 'The IAM directory of the project.' }),
  clusters: Type.Array(FixtureClusterSchema)
}, { additionalProperties: false })

const EXPIRES_AT = 'When it expires, on the emulator\'s clock: strict mode then answers 401 APIGW.0307. Default: never.'
const UNVERIFIED = 'Set on the credentials permissive or off mode issued for what strict mode refuses (a wrong password, an unknown token, no token): strict mode does not take them, after a restart either.'
const ISSUED_AT = 'Set on the credentials the emulator issued (POST /v3/auth/tokens, /v3.0/OS-CREDENTIAL/securitytokens): reset drops them.'

export const FixtureCredentialSchema = Type.Union([
  Type.Object({
    access_key: Secret(),
    secret_key: Secret(),
    security_token: Type.Optional(Secret('Temporary keys: the X-Security-Token they must be used with.')),
    project_id: Type.Optional(ProjectIdSchema),
    expires_at: Type.Optional(Instant(EXPIRES_AT)),
    issued_at: Type.Optional(Instant(ISSUED_AT)),
    unverified: Type.Optional(Type.Literal(true, { description: UNVERIFIED }))
  }, { additionalProperties: false, description: 'An AK/SK pair, bound to one project or to the domain.' }),
  Type.Object({
    token: Secret(),
    project_id: Type.Optional(ProjectIdSchema),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: NAME_LENGTH, description: 'The user it was issued to.' })),
    expires_at: Type.Optional(Instant(EXPIRES_AT)),
    issued_at: Type.Optional(Instant(ISSUED_AT)),
    unverified: Type.Optional(Type.Literal(true, { description: UNVERIFIED }))
  }, { additionalProperties: false, description: 'An X-Auth-Token, bound to one project or to the domain.' })
])

/** The domain of a fixture without one. */
export const DEFAULT_DOMAIN = { id: '0d5e3c1b2a4f48e6a9b7c5d3e1f20a4b', name: 'mrs-emulator' } as const

/** The account (IAM domain) the world belongs to. */
export const DomainSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9]+$', 'x-expected': 'letters and digits only', description: 'The domain (account) id.' }),
  name: Type.String({ minLength: 1, maxLength: 64, description: 'The domain (account) name: what POST /v3/auth/tokens takes as user.domain.name.' })
}, { additionalProperties: false, description: `The account the projects belong to. Default: ${JSON.stringify(DEFAULT_DOMAIN)}.` })

/** The fixture file: the world the emulator starts with (also the state file format). */
export const FixtureSchema = Type.Object({
  domain: Type.Optional(DomainSchema),
  projects: Type.Array(FixtureProjectSchema),
  credentials: Type.Optional(Type.Array(FixtureCredentialSchema, { maxItems: LIMITS.credentials.value, description: `At most ${worded(LIMITS.credentials)}.` })),
  clock_offset_ms: Type.Optional(Type.Integer({
    minimum: 0,
    maximum: LIMITS.clockOffset.value,
    description: 'How far the emulator\'s clock is ahead of the real one. The state file keeps it, so that a task\'s end and a token\'s expiry mean the same after a restart; a fixture may set it to start ahead (reset goes back to it). Default 0.'
  })),
  // More rules than the cap are refused, never silently dropped.
  faults: Type.Optional(Type.Array(FaultRuleSchema, { maxItems: LIMITS.faultRules.value, description: `Fault rules installed at start and on reset, at most ${worded(LIMITS.faultRules)}.` }))
}, { additionalProperties: false })

export type Fixture = Static<typeof FixtureSchema>
export type ClusterBody = Static<typeof ClusterBodySchema>
export type FixtureCredential = Static<typeof FixtureCredentialSchema>
export type Domain = Static<typeof DomainSchema>
