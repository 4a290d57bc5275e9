import { Type, type Static } from '@sinclair/typebox'
import { LIMITS, worded } from './limits.js'

/**
 * The wire shapes of the IAM face (reference/iam-api.md §3–7), written once: the routes register
 * them (validation and the OpenAPI document) and the core takes the types derived from them.
 * IAM's bodies take fields they do not name (Keystone ignores them), unlike MRS's.
 */

/** IAM's operations as Huawei's IAM SDK names them. */
export const IamOperation = {
  KeystoneListProjects: 'KeystoneListProjects',
  KeystoneListAuthProjects: 'KeystoneListAuthProjects',
  KeystoneListAuthDomains: 'KeystoneListAuthDomains',
  KeystoneListRegions: 'KeystoneListRegions',
  KeystoneCreateProject: 'KeystoneCreateProject',
  KeystoneCreateUserTokenByPassword: 'KeystoneCreateUserTokenByPassword',
  CreateTemporaryAccessKeyByToken: 'CreateTemporaryAccessKeyByToken'
} as const

/**
 * Marks a body or query schema of an IAM route (the API plane does, from the route's config):
 * its validation errors are written as IAM writes them, Keystone's `/v3` shape or `/v3.0`'s
 * `IAM.xxxx` (a symbol: it stays out of the OpenAPI document).
 */
export const IAM_ERRORS = Symbol('iam errors')
/** IAM's two faces: the `/v3` routes (Keystone's error body) and the `/v3.0` ones. */
export type IamFace = 'keystone' | 'iam'

const Text = (description?: string) => Type.String(description === undefined ? {} : { description })
const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description })

/** `links` of a list: `previous` and `next` are null (one page). */
export const ListLinksSchema = Type.Object({ self: Text(), previous: Nullable('Always null: one page.'), next: Nullable('Always null: one page.') })
const SelfLinksSchema = Type.Object({ self: Text() })

/** A project as `GET /v3/projects` lists it (`ProjectResult`). */
export const ProjectResultSchema = Type.Object({
  domain_id: Text('The account id.'),
  is_domain: Type.Boolean({ description: 'Always false.' }),
  parent_id: Text('The account id for a region\'s project; the region\'s project id for a sub-project.'),
  name: Text('The region (cn-north-4), or <region>_<name> for a sub-project.'),
  description: Text(),
  links: Type.Object({ self: Text(), previous: Type.Optional(Nullable('null')), next: Type.Optional(Nullable('null')) }),
  id: Text('The project id.'),
  enabled: Type.Boolean()
})
export type ProjectResult = Static<typeof ProjectResultSchema>

export const ProjectsQuerySchema = Type.Object({
  name: Type.Optional(Text('The project name, matched exactly: the SDKs send the region id.')),
  domain_id: Type.Optional(Text('The account id.')),
  enabled: Type.Optional(Type.Boolean()),
  is_domain: Type.Optional(Type.Boolean({ description: 'Leave blank: no project is a domain.' })),
  parent_id: Type.Optional(Text('The parent: the account id, or a region\'s project id.')),
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'The page, from 1; only with per_page.' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.projectsPerPage.value, description: `Projects per page, 1 to ${LIMITS.projectsPerPage.value}; only with page.` }))
})
export type ProjectsQuery = Static<typeof ProjectsQuerySchema>

export const ProjectListSchema = Type.Object({ projects: Type.Array(ProjectResultSchema), links: ListLinksSchema })
export const AuthProjectListSchema = Type.Object({ projects: Type.Array(ProjectResultSchema), links: SelfLinksSchema })

export const DomainListSchema = Type.Object({
  domains: Type.Array(Type.Object({ description: Text(), enabled: Type.Boolean(), id: Text(), links: SelfLinksSchema, name: Text() })),
  links: SelfLinksSchema
})

export const RegionListSchema = Type.Object({
  regions: Type.Array(Type.Object({
    parent_region_id: Type.Null(),
    description: Text(),
    links: SelfLinksSchema,
    type: Type.Literal('public'),
    id: Text('The region id: the region part of a project\'s name.'),
    locales: Type.Record(Type.String(), Type.String())
  })),
  links: ListLinksSchema
})

export const CreateProjectRequestSchema = Type.Object({
  project: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64, description: 'A region (cn-north-4: its project is answered), or <region>_<name> (a new sub-project).' }),
    parent_id: Type.Optional(Text('The region\'s project id (sub-projects).')),
    domain_id: Type.Optional(Text('The account id.')),
    description: Type.Optional(Type.String({ maxLength: 255 }))
  })
})
export type CreateProjectRequest = Static<typeof CreateProjectRequestSchema>
export const CreatedProjectSchema = Type.Object({ project: ProjectResultSchema })

const IdOrName = (what: string) => Type.Object({
  id: Type.Optional(Text(`The ${what} id.`)),
  name: Type.Optional(Text(`The ${what} name.`))
})

export const TokenRequestSchema = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 2, description: '["password"], or ["password", "totp"] (the TOTP code is not checked).' }),
      password: Type.Object({
        user: Type.Object({
          domain: Type.Object({ name: Text('The account name.') }),
          // The name a token is issued to, which the world keeps (LIMITS.nameLength).
          name: Type.String({ maxLength: LIMITS.nameLength.value, description: `The IAM user name, at most ${worded(LIMITS.nameLength)} characters.` }),
          password: Text('The user\'s password.')
        })
      })
    }),
    scope: Type.Optional(Type.Object({
      project: Type.Optional(IdOrName('project')),
      domain: Type.Optional(IdOrName('account'))
    }, { description: 'A project (by id or name), or the account; none: the account.' }))
  })
})
export type TokenRequest = Static<typeof TokenRequestSchema>

export const TokenQuerySchema = Type.Object({
  nocatalog: Type.Optional(Text('Any non-empty value: the token body has an empty catalog.'))
})

const DomainRefSchema = Type.Object({ id: Text(), name: Text() })
export const TokenBodySchema = Type.Object({
  token: Type.Object({
    catalog: Type.Array(Type.Object({
      endpoints: Type.Array(Type.Object({ id: Text(), interface: Text(), region: Text(), region_id: Text(), url: Text() })),
      id: Text(),
      name: Text(),
      type: Text()
    })),
    expires_at: Text(`${worded(LIMITS.tokenLifetime)} after issued_at, on the emulator's clock.`),
    issued_at: Text(),
    methods: Type.Array(Type.String()),
    project: Type.Optional(Type.Object({ domain: DomainRefSchema, id: Text(), name: Text() })),
    domain: Type.Optional(DomainRefSchema),
    roles: Type.Array(Type.Object({ id: Text(), name: Text() })),
    user: Type.Object({ domain: DomainRefSchema, id: Text(), name: Text(), password_expires_at: Text() })
  })
})

/** The shortest and longest life of a temporary key, in seconds, and its default. */
export const DURATION = { min: LIMITS.keyDurationMin.value, max: LIMITS.keyDurationMax.value, default: LIMITS.keyDurationMin.value } as const

export const SecurityTokenRequestSchema = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 2, description: '["token"]: the assume_role method is not emulated.' }),
      token: Type.Optional(Type.Object({
        id: Type.Optional(Text('The token, when there is no X-Auth-Token header (the header wins).')),
        duration_seconds: Type.Optional(Type.Integer({ minimum: DURATION.min, maximum: DURATION.max, description: `The key's life: ${DURATION.min} to ${DURATION.max} seconds, default ${DURATION.default}.` }))
      })),
      policy: Type.Optional(Type.Object({}, { description: 'An OBS policy: taken, not applied.' }))
    })
  })
})

export const SecurityTokenBodySchema = Type.Object({
  credential: Type.Object({
    access: Text('The temporary access key.'),
    secret: Text('Its secret key.'),
    securitytoken: Text('What requests signed with it send as X-Security-Token.'),
    expires_at: Text('When it expires, on the emulator\'s clock.')
  })
})

/** Keystone's error body on `/v3` paths (`errorBody`, shape `keystone`). */
export const KeystoneErrorSchema = Type.Object({
  error: Type.Object({ code: Type.Integer(), message: Type.String(), title: Type.String() })
})
