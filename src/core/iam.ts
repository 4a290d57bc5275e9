import { createHash, randomBytes } from 'node:crypto'
import type { AuthMode } from './auth.js'
import { type ApiError, credentialsRequired, iamTokenExpired, iamTokenInvalid, keystoneBodyInvalid, keystoneConflict, keystoneForbidden, keystoneNotFound, keystoneParameterInvalid, projectQuota, shorten, subProjectQuota, wrongPassword } from './errors.js'
import type { FixtureCredential } from './fixture-schema.js'
import { DURATION, type CreateProjectRequest, type ProjectResult, type ProjectsQuery, type TokenRequest } from './iam-schema.js'
import type { WorldStore } from './world-store.js'
import type { Project } from './world.js'
import { LIMITS } from './limits.js'

/** How long a token lives (reference/iam-api.md §6). */
export const TOKEN_LIFETIME_MS = LIMITS.tokenLifetime.value

/**
 * How many issued tokens and temporary keys are kept: past 1,000 the expired ones are dropped
 * (each is written to the state file on every change: this keeps it small), past 10,000 the oldest.
 */
export const ISSUED_BOUNDS = { expired: LIMITS.issuedKept.value, max: LIMITS.issuedMax.value }

/** A region id as Huawei Cloud writes them: `cn-north-4`, `ap-southeast-1`, `eu-west-101`. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/

/** The region of a project name (`cn-north-4`, `cn-north-4_dev`); undefined for a name that has none. */
export function regionOf (name: string): string | undefined {
  const region = name.split('_', 1)[0]!
  return REGION.test(region) ? region : undefined
}

/** A time as IAM writes it: UTC with 6 fractional digits (`2020-01-04T09:05:22.701000Z`), which every SDK parses. */
export const iamTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z')

const randomText = (bytes: number) => randomBytes(bytes).toString('base64url')
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const randomKey = (length: number, alphabet = ALPHANUMERIC) =>
  Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('')

/** A stable id for a name: 32 hex digits (users and catalog entries have ids, the fixtures do not give them). */
const idOf = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)

/** What a token or temporary key is bound to: a project, or (undefined) the domain. */
type Scope = { projectId: string, project: Project } | undefined

/**
 * IAM's side of the world (reference/iam-api.md): the domain, its projects by name and region,
 * password tokens and temporary keys. Reads the store's world; changes go through the store, so
 * they are persisted and reset like any other.
 */
export class Iam {
  constructor (private readonly store: WorldStore, private readonly now: () => number, private readonly auth: AuthMode) {}

  get domain () { return this.store.world.domain }

  /** The parent of a project: its region's project for a sub-project (when there is one), else the domain. */
  #parentOf (name: string): string {
    const region = regionOf(name)
    if (region === undefined || region === name) return this.domain.id
    return this.#byName(region)?.[0] ?? this.domain.id
  }

  #byName (name: string): [string, Project] | undefined {
    for (const entry of this.store.world.projects) if (entry[1].name === name) return entry
    return undefined
  }

  /** A project as IAM shows it; `list` adds the null `previous`/`next` links of `GET /v3/projects`. */
  projectResult (id: string, project: Project, base: string, list: boolean): ProjectResult {
    const self = `${base}/v3/projects/${id}`
    return {
      domain_id: this.domain.id,
      is_domain: false,
      parent_id: this.#parentOf(project.name),
      name: project.name,
      description: '',
      links: list ? { next: null, previous: null, self } : { self },
      id,
      enabled: true
    }
  }

  /** `GET /v3/projects`: the filters as IAM documents them, `name` matched exactly. */
  listProjects (query: ProjectsQuery, base: string): ProjectResult[] {
    if ((query.page === undefined) !== (query.per_page === undefined)) {
      throw keystoneParameterInvalid(`${query.page === undefined ? 'page' : 'per_page'} is invalid: page and per_page go together`)
    }
    const found: ProjectResult[] = []
    // Every project is enabled, none is a domain, all are the domain's.
    if (query.enabled === false || query.is_domain === true || (query.domain_id !== undefined && query.domain_id !== this.domain.id)) return found
    for (const [id, project] of this.store.world.projects) {
      if (query.name !== undefined && project.name !== query.name) continue
      const result = this.projectResult(id, project, base, true)
      if (query.parent_id !== undefined && result.parent_id !== query.parent_id) continue
      found.push(result)
    }
    if (query.page === undefined) return found
    const start = (query.page - 1) * query.per_page!
    return found.slice(start, start + query.per_page!)
  }

  allProjects (base: string): ProjectResult[] {
    return [...this.store.world.projects].map(([id, project]) => this.projectResult(id, project, base, false))
  }

  /** The regions of the projects' names, in the order they first appear. */
  regions (): string[] {
    const regions = new Set<string>()
    for (const project of this.store.world.projects.values()) {
      const region = regionOf(project.name)
      if (region !== undefined) regions.add(region)
    }
    return [...regions]
  }

  /**
   * `POST /v3/projects`. A region's own name (what the Node SDK sends when its lookup found no
   * single project) answers the region's project, made if absent; `<region>_<name>` makes a
   * sub-project. The region must be one of `GET /v3/regions`.
   */
  createProject ({ project: request }: CreateProjectRequest): { id: string, project: Project, created: boolean } {
    const { name } = request
    if (request.domain_id !== undefined && request.domain_id !== this.domain.id) {
      throw keystoneForbidden('domain_id is not this account\'s.')
    }
    const region = regionOf(name)
    if (region === undefined || !this.regions().includes(region)) {
      throw keystoneBodyInvalid(`project.name '${name}' must be a region of GET /v3/regions (${this.regions().join(', ') || 'none'}), or <region>_<name>`)
    }
    const existing = this.#byName(name)
    if (existing !== undefined) {
      if (name === region) return { id: existing[0], project: existing[1], created: false }
      throw keystoneConflict(`A project named ${name} exists already.`)
    }
    if (request.parent_id !== undefined && request.parent_id !== this.#parentOf(name)) {
      throw keystoneBodyInvalid(`project.parent_id must be ${this.#parentOf(name)}, the project of region ${region}`)
    }
    let subProjects = 0
    for (const project of this.store.world.projects.values()) if (project.name !== region && regionOf(project.name) === region) subProjects++
    if (subProjects >= LIMITS.subProjects.value) throw subProjectQuota(region)
    if (this.store.world.projects.size >= LIMITS.projects.value) throw projectQuota()
    const id = randomBytes(16).toString('hex')
    this.store.addProject(id, name)
    return { id, project: this.store.world.projects.get(id)!, created: true }
  }

  /** The users of the domain: every project's IAM directory. */
  #user (name: string) {
    for (const project of this.store.world.projects.values()) {
      const user = project.iam.users.get(name)
      if (user !== undefined) return user
    }
    return undefined
  }

  /**
   * `POST /v3/auth/tokens`. Strict mode: the account name and the user's password must match;
   * permissive and off: any password of a known user. Answers the token and its body.
   */
  issueToken (request: TokenRequest, catalog: boolean, base: string): { token: string, body: object } {
    const { identity, scope } = request.auth
    if (!identity.methods.includes('password') || identity.methods.some((method) => method !== 'password' && method !== 'totp')) {
      throw keystoneBodyInvalid(`auth.identity.methods must be ["password"] (or ["password", "totp"]): the emulator issues password tokens only, not ${shorten(JSON.stringify(identity.methods))}`)
    }
    const { user } = identity.password
    const known = this.#user(user.name)
    const verified = known !== undefined && user.domain.name === this.domain.name && known.password === user.password
    if (known === undefined || (this.auth === 'strict' && !verified)) throw wrongPassword()
    const bound = this.#tokenScope(scope)
    const issuedAt = this.now()
    const expiresAt = issuedAt + TOKEN_LIFETIME_MS
    const token = `MII${randomText(96)}`
    const credential: FixtureCredential = { token, user: user.name, issued_at: new Date(issuedAt).toISOString(), expires_at: new Date(expiresAt).toISOString() }
    if (bound !== undefined) credential.project_id = bound.projectId
    if (!verified) credential.unverified = true
    this.store.issue(credential, ISSUED_BOUNDS)
    const domain = { id: this.domain.id, name: this.domain.name }
    const region = bound === undefined ? '*' : regionOf(bound.project.name) ?? bound.project.name
    return {
      token,
      body: {
        token: {
          catalog: catalog ? this.#catalog(region, base) : [],
          expires_at: iamTime(expiresAt),
          issued_at: iamTime(issuedAt),
          methods: identity.methods,
          ...(bound === undefined ? { domain } : { project: { domain, id: bound.projectId, name: bound.project.name } }),
          roles: [{ id: '0', name: 'te_admin' }],
          user: { domain, id: idOf(this.domain.id, user.name), name: user.name, password_expires_at: '' }
        }
      }
    }
  }

  /** The project a token is scoped to: by id or by name; the project wins over the domain; none: the domain. */
  #tokenScope (scope: TokenRequest['auth']['scope']): Scope {
    const project = scope?.project
    if (project !== undefined) {
      if (project.id !== undefined) {
        const found = this.store.world.projects.get(project.id)
        if (found === undefined) throw keystoneNotFound('project', project.id)
        return { projectId: project.id, project: found }
      }
      if (project.name !== undefined) {
        const found = this.#byName(project.name)
        if (found === undefined) throw keystoneNotFound('project', project.name)
        return { projectId: found[0], project: found[1] }
      }
      throw keystoneBodyInvalid('auth.scope.project needs an id or a name')
    }
    const domain = scope?.domain
    if (domain !== undefined) {
      if (domain.id === undefined && domain.name === undefined) throw keystoneBodyInvalid('auth.scope.domain needs an id or a name')
      if ((domain.id !== undefined && domain.id !== this.domain.id) || (domain.name !== undefined && domain.name !== this.domain.name)) {
        throw keystoneNotFound('domain', domain.id ?? domain.name!)
      }
    }
    return undefined
  }

  /** The endpoints a token lists: this emulator, for MRS and for IAM. */
  #catalog (region: string, url: string) {
    return [['mrs', 'mrs'], ['iam', 'identity']].map(([name, type]) => ({
      endpoints: [{ id: idOf(type!, region, 'endpoint'), interface: 'public', region, region_id: region, url }],
      id: idOf(type!, 'service'),
      name: name!,
      type: type!
    }))
  }

  /**
   * `POST /v3.0/OS-CREDENTIAL/securitytokens`, the token method: a temporary AK/SK and its
   * security token, bound to what the token is bound to. Strict mode: the token must be one the
   * world knows, unexpired; permissive and off: an unknown token gives a key of the domain.
   */
  /** What strict mode finds wrong with a token a temporary key is asked with; undefined when nothing (or not strict). */
  tokenProblem (token: string): ApiError | undefined {
    return this.auth === 'strict' ? this.#strictProblem(token) : undefined
  }

  /** What strict mode finds wrong with a token, whatever the mode. */
  #strictProblem (token: string): ApiError | undefined {
    const known = this.#token(token)
    if (known === undefined || known.unverified === true) return iamTokenInvalid()
    if (known.expires_at !== undefined && this.now() >= Date.parse(known.expires_at)) return iamTokenExpired()
    return undefined
  }

  #token (token: string) {
    return this.store.credentials.find((credential): credential is Extract<FixtureCredential, { token: string }> => 'token' in credential && credential.token === token)
  }

  issueTemporaryKey (token: string | undefined, durationSeconds: number = DURATION.default): object {
    let projectId: string | undefined
    // A key issued for what strict mode refuses is marked: strict mode never takes it.
    let verified = false
    if (token === undefined) {
      if (this.auth !== 'off') throw credentialsRequired()
    } else {
      const problem = this.tokenProblem(token)
      if (problem !== undefined) throw problem
      verified = this.#strictProblem(token) === undefined
      projectId = this.#token(token)?.project_id
    }
    const issuedAt = this.now()
    const expiresAt = issuedAt + durationSeconds * 1000
    const access = randomKey(20)
    const secret = randomKey(40, `${ALPHANUMERIC}abcdefghijklmnopqrstuvwxyz`)
    const securitytoken = `gQ${randomText(240)}`
    const credential: FixtureCredential = { access_key: access, secret_key: secret, security_token: securitytoken, issued_at: new Date(issuedAt).toISOString(), expires_at: new Date(expiresAt).toISOString() }
    if (projectId !== undefined) credential.project_id = projectId
    if (!verified) credential.unverified = true
    this.store.issue(credential, ISSUED_BOUNDS)
    return { credential: { access, secret, securitytoken, expires_at: iamTime(expiresAt) } }
  }
}
