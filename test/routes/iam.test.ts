import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { DEFAULT_DOMAIN, type Fixture } from '../../src/core/fixture-schema.js'
import { LIMITS } from '../../src/core/limits.js'
import { signRequest } from '../../src/core/signature.js'
import type { StateFs } from '../../src/core/state-file.js'
import { build, fakeClock, listening, OTHER_PROJECT, PROJECT, rawExchange, readJson, stateFilePath, syncPath, tempDir } from '../helpers.js'
import { join } from 'node:path'
import * as nodeFs from 'node:fs'

// The IAM face (PRODUCT.md §1.1, reference/iam-api.md) through HTTP: shapes, errors, auth modes,
// and the credentials it issues living in the world.

type App = FastifyInstance
const START = Date.parse('2030-01-01T00:00:00Z')
const AK = { accessKey: 'EMULATORAK0000000001', secretKey: 'EmulatorSecretKey0000000000000000000001' }
const FIXTURE_TOKEN = { 'x-auth-token': 'emulator-token-ff8080828997cb24018a1b2db3440b80' }
const DOMAIN_ID = '0d5e3c1b2a4f48e6a9b7c5d3e1f20a4b'
const BASE = 'http://localhost:80'

/** Signed as Huawei's Node SDK core signs its IAM lookups: `{}` as the body of a GET, Content-Type JSON. */
function signed (method: string, url: string, body: string | undefined, key: { accessKey: string, secretKey: string, securityToken?: string } = AK, date = '20300101T000000Z'): InjectOptions {
  const base: Record<string, string> = { host: 'localhost:80', 'content-type': 'application/json' }
  if (key.securityToken !== undefined) base['x-security-token'] = key.securityToken
  const headers = signRequest({ method, url, headers: base, body }, { algorithm: 'SDK-HMAC-SHA256', accessKey: key.accessKey, secretKey: key.secretKey, date })
  return { method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: body }) }
}

const tokenBody = (name: string, password: string, scope?: object, domain = 'mrs-emulator') => ({
  auth: { identity: { methods: ['password'], password: { user: { domain: { name: domain }, name, password } } }, ...(scope === undefined ? {} : { scope }) }
})
const getToken = (app: App, body: object, query = '?nocatalog=true') => app.inject({ method: 'POST', url: `/v3/auth/tokens${query}`, payload: body })
const keyBody = (token?: string, duration?: number) => ({
  auth: { identity: { methods: ['token'], ...(token === undefined && duration === undefined ? {} : { token: { ...(token === undefined ? {} : { id: token }), ...(duration === undefined ? {} : { duration_seconds: duration }) } }) } }
})
const getKey = (app: App, body: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v3.0/OS-CREDENTIAL/securitytokens', headers, payload: body })

const project = (id: string, name: string, parent = DOMAIN_ID, list = true) => ({
  domain_id: DOMAIN_ID,
  is_domain: false,
  parent_id: parent,
  name,
  description: '',
  links: list ? { next: null, previous: null, self: `${BASE}/v3/projects/${id}` } : { self: `${BASE}/v3/projects/${id}` },
  id,
  enabled: true
})

async function strictApp (t: Test, options: Parameters<typeof build>[1] = {}) {
  const clock = fakeClock(START)
  const app = await build(t, { auth: 'strict', now: clock.now, ...options })
  return app
}

t.test('GET /v3/projects: the SDKs\' lookup by region, exact names, the documented filters, always a projects array', async (t) => {
  const app = await strictApp(t)
  const list = async (query: string) => {
    const res = await app.inject(signed('GET', `/v3/projects${query}`, '{}'))
    t.equal(res.statusCode, 200, query)
    t.match(res.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
    return res.json()
  }
  t.same(await list('?name=cn-north-4'), {
    projects: [project(PROJECT, 'cn-north-4')],
    links: { self: `${BASE}/v3/projects?name=cn-north-4`, previous: null, next: null }
  })
  t.same((await list('?name=cn-north-9')).projects, [], 'an unknown region: an empty array, never a 404')
  t.same((await list('?name=cn-north')).projects, [], 'names are matched exactly')
  t.same((await list('')).projects.map((p: { name: string }) => p.name), ['cn-north-4', 'cn-south-1'])
  t.same((await list(`?domain_id=${DOMAIN_ID}&enabled=true&is_domain=false&parent_id=${DOMAIN_ID}`)).projects.length, 2)
  for (const query of ['?domain_id=other', '?enabled=false', '?is_domain=true', '?parent_id=other']) t.same((await list(query)).projects, [], query)
  t.same((await list('?page=2&per_page=1')).projects.map((p: { id: string }) => p.id), [OTHER_PROJECT])
  t.same((await list('?page=3&per_page=1')).projects, [])

  for (const [query, message] of [
    ['?page=1', 'Request parameter per_page is invalid: page and per_page go together.'],
    ['?per_page=1', 'Request parameter page is invalid: page and per_page go together.'],
    ['?enabled=maybe', 'Request parameter enabled is invalid: maybe.'],
    ['?per_page=0&page=1', 'Request parameter per_page is invalid: 0.'],
    ['?page=1.5&per_page=1', 'Request parameter page is invalid: 1.5.'],
    ['?name=a&name=b', 'Request parameter name is invalid: a,b.']
  ] as const) {
    const res = await app.inject(signed('GET', `/v3/projects${query}`, '{}'))
    t.equal(res.statusCode, 400, query)
    t.same(res.json(), { error: { code: 400, message, title: 'Bad Request' } }, query)
    t.match(res.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
  }
})

t.test('GET /v3/auth/projects, /v3/auth/domains, /v3/regions: the documented shapes', async (t) => {
  const app = await strictApp(t)
  const get = async (url: string) => (await app.inject({ url, headers: FIXTURE_TOKEN })).json()
  t.same(await get('/v3/auth/projects'), {
    projects: [project(PROJECT, 'cn-north-4', DOMAIN_ID, false), project(OTHER_PROJECT, 'cn-south-1', DOMAIN_ID, false)],
    links: { self: `${BASE}/v3/auth/projects` }
  })
  t.same(await get('/v3/auth/domains'), {
    domains: [{ description: '', enabled: true, id: DOMAIN_ID, links: { self: `${BASE}/v3/domains/${DOMAIN_ID}` }, name: 'mrs-emulator' }],
    links: { self: `${BASE}/v3/auth/domains` }
  })
  t.same(await get('/v3/regions'), {
    regions: ['cn-north-4', 'cn-south-1'].map((id) => ({
      parent_region_id: null, description: '', links: { self: `${BASE}/v3/regions/${id}` }, type: 'public', id, locales: { 'en-us': id }
    })),
    links: { self: `${BASE}/v3/regions`, previous: null, next: null }
  })
})

t.test('the lookups\' authentication: any credential of the domain in strict mode, IAM\'s words for a missing or bad token', async (t) => {
  const app = await strictApp(t, {
    fixtures: {
      projects: [{ project_id: 'p1', name: 'cn-north-4', iam: { users: [], groups: [] }, clusters: [] }],
      credentials: [
        { access_key: 'DOMAINAK', secret_key: 'DOMAINSK' },
        { token: 'old', project_id: 'p1', expires_at: '2029-12-31T00:00:00Z' }
      ]
    }
  })
  t.equal((await app.inject(signed('GET', '/v3/auth/domains', '{}', { accessKey: 'DOMAINAK', secretKey: 'DOMAINSK' }))).statusCode, 200, 'a key of the domain')
  t.equal((await app.inject(signed('GET', '/v3/auth/domains', undefined, { accessKey: 'DOMAINAK', secretKey: 'DOMAINSK' }))).statusCode, 200, 'no body, as the generated IamClient sends')
  const keystone = async (options: InjectOptions, status: number, message: string) => {
    const res = await app.inject(options)
    t.equal(res.statusCode, status, message)
    t.same(res.json(), { error: { code: status, message, title: 'Unauthorized' } })
    t.match(res.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
    t.equal(res.headers['x-request-id'], res.headers['x-iam-trace-id'])
  }
  await keystone({ url: '/v3/projects' }, 401, 'The request you have made requires authentication.')
  await keystone({ url: '/v3/regions', headers: { 'x-auth-token': 'nope' } }, 401, 'The X-Auth-Token is invalid!')
  await keystone({ url: '/v3/regions', headers: { 'x-auth-token': 'old' } }, 401, 'The token has expired.')
  const badSignature = await app.inject(signed('GET', '/v3/regions', '{}', { accessKey: 'DOMAINAK', secretKey: 'wrong' }))
  t.equal(badSignature.statusCode, 401)
  t.match(badSignature.json(), { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail, the signature does not match' }, 'AK/SK: the gateway\'s own answer')
  t.match(badSignature.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
  const unknownAk = await app.inject(signed('GET', '/v3/regions', '{}', { accessKey: 'NOPE', secretKey: 'x' }))
  t.match(unknownAk.json(), { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: ak NOPE not exist' }, 'found before the body is read: the gateway\'s answer too')

  const mrs = await app.inject({ url: syncPath('p1', 'c1'), headers: { 'x-auth-token': 'old' } })
  t.same(mrs.json(), { error_code: 'APIGW.0307', error_msg: 'The token must be updated.', request_id: mrs.headers['x-request-id'] }, 'the MRS API: the gateway\'s expired-token answer')
  const domainKey = await app.inject(signed('GET', syncPath('p1', 'c1'), undefined, { accessKey: 'DOMAINAK', secretKey: 'DOMAINSK' }))
  t.match(domainKey.json(), { error_code: 'APIGW.0306' }, 'a key of the domain does not act on a project')

  const permissive = await build(t, { auth: 'permissive' })
  t.equal((await permissive.inject({ url: '/v3/auth/projects', headers: { 'x-auth-token': 'anything' } })).statusCode, 200)
  t.same((await permissive.inject({ url: '/v3/auth/projects' })).json().error.message, 'The request you have made requires authentication.')
  const off = await build(t, { auth: 'off' })
  t.equal((await off.inject({ url: '/v3/auth/projects' })).statusCode, 200)
})

t.test('POST /v3/projects: the Node SDK\'s fallback answers the region\'s project; sub-projects are made', async (t) => {
  const app = await strictApp(t, {
    fixtures: {
      projects: [{ project_id: 'p1', name: 'cn-north-4_base', iam: { users: [], groups: [] }, clusters: [] }],
      credentials: [{ access_key: 'DOMAINAK', secret_key: 'DOMAINSK' }]
    }
  })
  const key = { accessKey: 'DOMAINAK', secretKey: 'DOMAINSK' }
  const create = (project: object) => app.inject(signed('POST', '/v3/projects', JSON.stringify({ project }), key))

  t.equal((await app.inject(signed('GET', '/v3/projects?name=cn-north-4_base', '{}', key))).json().projects[0].parent_id, DOMAIN_ID, 'a sub-project without its region\'s project: the domain\'s')
  // As the Node SDK does when GET /v3/projects?name=cn-north-4 found no single project.
  const made = await create({ name: 'cn-north-4', domain_id: DOMAIN_ID })
  t.equal(made.statusCode, 201)
  const id = made.json().project.id as string
  t.match(id, /^[0-9a-f]{32}$/)
  t.same(made.json(), { project: project(id, 'cn-north-4', DOMAIN_ID, false) })
  t.same((await create({ name: 'cn-north-4', domain_id: DOMAIN_ID })).json().project.id, id, 'again: the same project')
  const list = await app.inject(signed('GET', '/v3/projects?name=cn-north-4', '{}', key))
  t.same(list.json().projects.map((p: { id: string }) => p.id), [id], 'found by the next lookup')
  t.equal((await app.inject(signed('GET', '/v3/projects?name=cn-north-4_base', '{}', key))).json().projects[0].parent_id, id, 'a sub-project\'s parent: its region\'s project')

  const sub = await create({ name: 'cn-north-4_dev', parent_id: id, description: 'dev' })
  t.equal(sub.statusCode, 201)
  t.match(sub.json().project, { name: 'cn-north-4_dev', parent_id: id })
  const state = (await app.inject({ url: '/_emulator/state' })).json() as Fixture
  t.same(state.projects.map((p) => p.name), ['cn-north-4_base', 'cn-north-4', 'cn-north-4_dev'], 'part of the world')

  const refused = async (body: object, status: number, message: string) => {
    const res = await create(body)
    t.equal(res.statusCode, status, message)
    t.same(res.json().error, { code: status, message, title: status === 400 ? 'Bad Request' : status === 403 ? 'Forbidden' : 'Conflict' })
  }
  await refused({ name: 'cn-north-4_dev' }, 409, 'A project named cn-north-4_dev exists already.')
  await refused({ name: 'eu-west-101' }, 400, 'The request body is invalid: project.name \'eu-west-101\' must be a region of GET /v3/regions (cn-north-4), or <region>_<name>')
  await refused({ name: 'dev' }, 400, 'The request body is invalid: project.name \'dev\' must be a region of GET /v3/regions (cn-north-4), or <region>_<name>')
  await refused({ name: 'cn-north-4_x', parent_id: 'nope' }, 400, `The request body is invalid: project.parent_id must be ${id}, the project of region cn-north-4`)
  await refused({ name: 'cn-north-4_x', domain_id: 'other' }, 403, 'You are not authorized to perform the requested action: domain_id is not this account\'s.')
  await refused({}, 400, 'The request body is invalid: project.name is required')
  const noRegions = await build(t, { auth: 'off', fixtures: { projects: [] } })
  t.match((await noRegions.inject({ method: 'POST', url: '/v3/projects', payload: { project: { name: 'cn-north-4' } } })).json().error.message, /\(none\)/)
})

t.test('POST /v3/auth/tokens: a token of 24 hours on the emulator\'s clock, for its project\'s MRS API', async (t) => {
  const app = await strictApp(t)
  const res = await getToken(app, tokenBody('user1', 'Password-user1', { project: { name: 'cn-north-4' } }))
  t.equal(res.statusCode, 201)
  const token = res.headers['x-subject-token'] as string
  t.match(token, /^MII[A-Za-z0-9_-]{128}$/)
  t.match(res.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
  const domain = { id: DOMAIN_ID, name: 'mrs-emulator' }
  t.same(res.json(), {
    token: {
      catalog: [],
      expires_at: '2030-01-02T00:00:00.000000Z',
      issued_at: '2030-01-01T00:00:00.000000Z',
      methods: ['password'],
      project: { domain, id: PROJECT, name: 'cn-north-4' },
      roles: [{ id: '0', name: 'te_admin' }],
      user: { domain, id: res.json().token.user.id, name: 'user1', password_expires_at: '' }
    }
  })
  t.match(res.json().token.user.id, /^[0-9a-f]{32}$/)

  const mrs = (headers: Record<string, string>, project = PROJECT) => app.inject({ url: syncPath(project), headers })
  t.equal((await mrs({ 'x-auth-token': token })).statusCode, 200, 'the token works on its project')
  t.match((await mrs({ 'x-auth-token': token }, OTHER_PROJECT)).json(), { error_code: 'APIGW.0306' }, 'and on no other')
  t.equal((await app.inject({ url: '/v3/auth/domains', headers: { 'x-auth-token': token } })).statusCode, 200, 'and on IAM\'s lookups')

  const byId = await getToken(app, tokenBody('developer', 'Password-developer', { project: { id: OTHER_PROJECT }, domain: { name: 'mrs-emulator' } }), '')
  t.match(byId.json().token, { project: { id: OTHER_PROJECT, name: 'cn-south-1' } }, 'by id; the project wins over the domain')
  t.same(byId.json().token.catalog.map((c: { type: string, endpoints: Array<{ url: string, region: string }> }) => [c.type, c.endpoints[0]!.url, c.endpoints[0]!.region]),
    [['mrs', BASE, 'cn-south-1'], ['identity', BASE, 'cn-south-1']], 'without nocatalog: this emulator for MRS and IAM')

  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: 24 * 3600 * 1000 - 1 } })
  t.equal((await mrs({ 'x-auth-token': token })).statusCode, 200, 'a millisecond before it expires')
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: 1 } })
  const expired = await mrs({ 'x-auth-token': token })
  t.equal(expired.statusCode, 401)
  t.match(expired.json(), { error_code: 'APIGW.0307', error_msg: 'The token must be updated.' })
  t.same((await app.inject({ url: '/v3/auth/domains', headers: { 'x-auth-token': token } })).json().error.message, 'The token has expired.')
})

t.test('POST /v3/auth/tokens: scopes, and every refusal in Keystone\'s shape', async (t) => {
  const app = await strictApp(t)
  const domainToken = await getToken(app, tokenBody('analyst', 'Password-analyst', { domain: { id: DOMAIN_ID } }))
  t.equal(domainToken.statusCode, 201)
  t.same(domainToken.json().token.domain, { id: DOMAIN_ID, name: 'mrs-emulator' })
  t.notOk('project' in domainToken.json().token)
  t.equal((await getToken(app, tokenBody('analyst', 'Password-analyst'))).json().token.domain.name, 'mrs-emulator', 'no scope: the domain')
  const domainScoped = domainToken.headers['x-subject-token'] as string
  t.match((await app.inject({ url: syncPath(), headers: { 'x-auth-token': domainScoped } })).json(), { error_code: 'APIGW.0306' }, 'a domain token acts on no project')
  t.equal((await getToken(app, tokenBody('user1', 'Password-user1', undefined, 'mrs-emulator'), '?nocatalog=')).json().token.catalog.length, 2, 'an empty nocatalog is false')

  const refused = async (body: unknown, status: number, message: string, raw?: string) => {
    const res = raw === undefined
      ? await getToken(app, body as object)
      : await app.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: raw })
    t.equal(res.statusCode, status, message)
    t.same(res.json(), { error: { code: status, message, title: status === 400 ? 'Bad Request' : 'Unauthorized' } }, message)
    t.match(res.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
    t.notOk('x-subject-token' in res.headers)
  }
  const wrong = 'The username or password is wrong.'
  await refused(tokenBody('user1', 'wrong'), 401, wrong)
  await refused(tokenBody('ghost', 'Password-user1'), 401, wrong)
  await refused(tokenBody('user1', 'Password-user1', undefined, 'other-account'), 401, wrong)
  await refused(tokenBody('user1', 'Password-user1', { project: { name: 'cn-north-9' } }), 401, 'Could not find project: cn-north-9.')
  await refused(tokenBody('user1', 'Password-user1', { project: { id: 'nope' } }), 401, 'Could not find project: nope.')
  await refused(tokenBody('user1', 'Password-user1', { domain: { name: 'other' } }), 401, 'Could not find domain: other.')
  await refused(tokenBody('user1', 'Password-user1', { project: {} }), 400, 'The request body is invalid: auth.scope.project needs an id or a name')
  await refused(tokenBody('user1', 'Password-user1', { domain: {} }), 400, 'The request body is invalid: auth.scope.domain needs an id or a name')
  await refused({ auth: { identity: { methods: ['token'], password: tokenBody('u', 'p').auth.identity.password } } }, 400,
    'The request body is invalid: auth.identity.methods must be ["password"] (or ["password", "totp"]): the emulator issues password tokens only, not ["token"]')
  await refused({ auth: { identity: { methods: ['password'], password: { user: { domain: { name: 'd' }, name: 'u' } } } } }, 400,
    'The request body is invalid: auth.identity.password.user.password is required')
  await refused({ auth: { identity: { methods: 'password', password: tokenBody('u', 'p').auth.identity.password } } }, 400, 'The request body is invalid: auth.identity.methods is invalid: expected array')
  await refused(undefined, 400, 'The request body is invalid: the request body is not valid JSON at line 1, column 2: unexpected end of the text', '{')
  await refused(undefined, 400, 'The request body is invalid: a JSON body is required', '')
  const totp = tokenBody('user1', 'Password-user1')
  totp.auth.identity.methods = ['password', 'totp']
  t.equal((await getToken(app, totp)).statusCode, 201, 'with virtual MFA: the code is not checked')

  const permissive = await build(t, { auth: 'permissive' })
  t.equal((await getToken(permissive, tokenBody('user1', 'any', undefined, 'any-account'))).statusCode, 201, 'permissive: any password of a known user')
  t.equal((await getToken(permissive, tokenBody('ghost', 'any'))).statusCode, 401, 'an unknown user still gets none')
  const unnamed = await build(t, { auth: 'permissive', fixtures: { projects: [{ project_id: 'p1', iam: { users: [{ name: 'u', groups: [] }], groups: [] }, clusters: [] }] } })
  const catalog = (await getToken(unnamed, tokenBody('u', 'x', { project: { id: 'p1' } }), '')).json().token.catalog
  t.equal(catalog[0].endpoints[0].region, 'p1', 'a project whose name is no region: its name as the catalog\'s region')
  const nopassword = await strictApp(t, { fixtures: { projects: [{ project_id: 'p1', iam: { users: [{ name: 'u', groups: [] }], groups: [] }, clusters: [] }] } })
  t.equal((await getToken(nopassword, tokenBody('u', 'anything'))).statusCode, 401, 'strict: a user without a password gets no token')
})

t.test('POST /v3.0/OS-CREDENTIAL/securitytokens: a temporary key for what the token reaches, until it expires', async (t) => {
  const app = await strictApp(t)
  const token = (await getToken(app, tokenBody('user1', 'Password-user1', { project: { id: PROJECT } }))).headers['x-subject-token'] as string

  // As Huawei's Python and Go SDKs ask: unsigned, the token in the body.
  const res = await getKey(app, keyBody(token, 21600))
  t.equal(res.statusCode, 201)
  t.match(res.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
  const { credential } = res.json()
  t.same(Object.keys(credential).sort(), ['access', 'expires_at', 'secret', 'securitytoken'])
  t.match(credential, { access: /^[A-Z0-9]{20}$/, secret: /^[A-Za-z0-9]{40}$/, securitytoken: /^gQ[A-Za-z0-9_-]{320}$/, expires_at: '2030-01-01T06:00:00.000000Z' })
  const key = { accessKey: credential.access, secretKey: credential.secret, securityToken: credential.securitytoken }
  t.equal((await app.inject(signed('GET', syncPath(), undefined, key))).statusCode, 200, 'the key works, with its security token')
  t.match((await app.inject(signed('GET', syncPath(OTHER_PROJECT), undefined, key))).json(), { error_code: 'APIGW.0306' }, 'on the token\'s project only')
  t.match((await app.inject(signed('GET', syncPath(), undefined, { ...key, securityToken: undefined }))).json(), { error_code: 'APIGW.0301' }, 'not without its security token')

  // As the Node SDK asks: the header, no id; the default life is 900 s.
  const short = await getKey(app, keyBody(), { 'x-auth-token': token })
  t.equal(short.json().credential.expires_at, '2030-01-01T00:15:00.000000Z')
  t.equal((await getKey(app, keyBody('not-a-token'), { 'x-auth-token': token })).statusCode, 201, 'the header wins over the body')
  t.same((await getKey(app, keyBody(token), { 'x-auth-token': 'not-a-token' })).json(), { error_code: 'IAM.0067', error_msg: 'Invalid token.' })

  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: 900_000 } })
  const shortKey = { accessKey: short.json().credential.access, secretKey: short.json().credential.secret, securityToken: short.json().credential.securitytoken, date: '' }
  const late = await app.inject(signed('GET', syncPath(), undefined, shortKey, '20300101T000000Z'))
  t.match(late.json(), { error_code: 'APIGW.0307', error_msg: 'The token must be updated.' }, 'a key past its expiry')
  t.equal((await app.inject(signed('GET', syncPath(), undefined, key))).statusCode, 200, 'the longer one still works')

  const refused = async (body: unknown, headers: Record<string, string>, status: number, code: string, message: string, raw?: string) => {
    const res = raw === undefined ? await getKey(app, body as object, headers) : await app.inject({ method: 'POST', url: '/v3.0/OS-CREDENTIAL/securitytokens', headers: { 'content-type': 'application/json', ...headers }, payload: raw })
    t.equal(res.statusCode, status, message)
    t.same(res.json(), { error_code: code, error_msg: message })
    t.match(res.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
  }
  await refused(keyBody(), {}, 401, 'IAM.0001', 'The request you have made requires authentication.')
  await refused(keyBody('nope'), {}, 401, 'IAM.0067', 'Invalid token.')
  await refused(keyBody(token, 899), {}, 400, 'IAM.1102', 'The auth.identity.token.duration_seconds in the request body is invalid: expected integer to be greater or equal to 900.')
  await refused(keyBody(token, 86_401), {}, 400, 'IAM.1102', 'The auth.identity.token.duration_seconds in the request body is invalid: expected integer to be less or equal to 86400.')
  await refused({ auth: { identity: { methods: ['assume_role'] } } }, {}, 400, 'IAM.1102',
    'The auth.identity.methods in the request body is invalid: the emulator issues temporary keys by token only (["token"]), not ["assume_role"].')
  await refused({ auth: {} }, {}, 400, 'IAM.1103', 'The auth.identity is required in the request body.')
  await refused(undefined, {}, 400, 'IAM.1101', 'The request body size 0 is invalid.', '')
  await refused(undefined, {}, 400, 'IAM.0011', 'Request body is invalid. The request body is not valid JSON at line 1, column 2: unexpected end of the text', '{')
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance_ms: 24 * 3600 * 1000 } })
  await refused(keyBody(token), {}, 401, 'IAM.0066', 'The token has expired.')

  const permissive = await build(t, { auth: 'permissive' })
  t.equal((await getKey(permissive, keyBody('anything'))).statusCode, 201, 'permissive: any token (a key of the domain)')
  t.equal((await getKey(permissive, keyBody())).statusCode, 401, 'but one')
  const off = await build(t, { auth: 'off' })
  t.equal((await getKey(off, keyBody())).statusCode, 201, 'off: none needed')
})

t.test('issued credentials live in the world: the state, the state file, reset; secrets stay out of the journal', async (t) => {
  const dir = await tempDir(t, 'mrs-iam-')
  const stateFile = join(dir, 'state.json')
  const app = await strictApp(t, { stateFile })
  const token = (await getToken(app, tokenBody('user1', 'Password-user1', { project: { id: PROJECT } }))).headers['x-subject-token'] as string
  const key = (await getKey(app, keyBody(token))).json().credential
  const state = (await app.inject({ url: '/_emulator/state' })).json() as Fixture
  t.same(state.domain, DEFAULT_DOMAIN)
  t.same(state.credentials!.slice(-2), [
    { token, user: 'user1', issued_at: '2030-01-01T00:00:00.000Z', expires_at: '2030-01-02T00:00:00.000Z', project_id: PROJECT },
    { access_key: key.access, secret_key: key.secret, security_token: key.securitytoken, issued_at: '2030-01-01T00:00:00.000Z', expires_at: '2030-01-01T00:15:00.000Z', project_id: PROJECT }
  ])

  // A restart on the state file: the token still works.
  const again = await strictApp(t, { stateFile })
  t.equal((await again.inject({ url: syncPath(), headers: { 'x-auth-token': token } })).statusCode, 200)

  const journal = (await app.inject({ url: '/_emulator/requests?limit=2' })).json().requests
  t.same(journal.map((e: { operation: string }) => e.operation), ['KeystoneCreateUserTokenByPassword', 'CreateTemporaryAccessKeyByToken'])
  t.equal(journal[0].body.auth.identity.password.user.password, '[REDACTED]')
  t.equal(journal[0].body.auth.identity.password.user.name, 'user1')
  t.equal(journal[0].response.headers['x-subject-token'], '[REDACTED]')
  t.equal(journal[1].body.auth.identity.token.id, '[REDACTED]')
  t.match(journal[1].response.body.credential, { access: key.access, secret: '[REDACTED]', securitytoken: '[REDACTED]' })
  // Every entry read (a key asked for with the header carries no token in its body; a text body is left as it is).
  await app.inject({ method: 'POST', url: '/v3.0/OS-CREDENTIAL/securitytokens', headers: { 'x-auth-token': token }, payload: keyBody() })
  await app.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: '["not", "an", "object"]' })
  await app.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: '{"auth": "text"}' })
  const all = (await app.inject({ url: '/_emulator/requests' })).json().requests
  t.same(all.slice(-3).map((e: { body: unknown }) => e.body), [keyBody(), ['not', 'an', 'object'], { auth: 'text' }])
  const har = (await app.inject({ url: '/_emulator/requests.har' })).body
  for (const secret of ['Password-user1', token, key.secret, key.securitytoken]) t.notOk(har.includes(secret), 'the HAR export holds no secret')

  await app.inject({ method: 'POST', url: `/_emulator/reset?project_id=${OTHER_PROJECT}` })
  t.equal((await app.inject({ url: syncPath(), headers: { 'x-auth-token': token } })).statusCode, 200, 'another project\'s reset keeps them')
  await app.inject({ method: 'POST', url: `/_emulator/reset?project_id=${PROJECT}` })
  t.equal((await app.inject({ url: syncPath(), headers: { 'x-auth-token': token } })).statusCode, 401, 'their project\'s reset drops them')
  const domainToken = (await getToken(app, tokenBody('user1', 'Password-user1'))).headers['x-subject-token'] as string
  await app.inject({ method: 'POST', url: '/_emulator/reset' })
  t.same((await app.inject({ url: '/v3/regions', headers: { 'x-auth-token': domainToken } })).json().error.message, 'The X-Auth-Token is invalid!', 'a reset drops them all')
})

t.test('IAM\'s routes go through the gateway: fault rules by operation, and IAM\'s 500 when the state file fails', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { match: { operation: 'KeystoneListProjects' }, action: { status: 503, error_code: 'APIGW.0503', error_msg: 'Service unavailable.' }, times: 1 } })
  const faulted = await app.inject({ url: '/v3/projects?name=cn-north-4', headers: FIXTURE_TOKEN })
  t.equal(faulted.statusCode, 503)
  t.match(faulted.json(), { error_code: 'APIGW.0503', request_id: faulted.headers['x-request-id'] })
  t.match(faulted.headers['x-iam-trace-id'], /^[0-9a-f]{32}$/)
  t.equal((await app.inject({ url: '/v3/projects?name=cn-north-4', headers: FIXTURE_TOKEN })).statusCode, 200)
  t.same((await app.inject({ url: '/_emulator/requests?operation=KeystoneListProjects' })).json().requests.map((e: { status: number }) => e.status), [503, 200])
  t.equal((await app.inject({ method: 'DELETE', url: '/v3/projects', headers: FIXTURE_TOKEN })).json().error_code, 'APIGW.0101', 'a method IAM does not serve: the gateway\'s 404')

  // Writes fail once the app has started (the first write, at start, succeeds).
  let failing = false
  const fs = {
    ...nodeFs,
    writeSync: (...args: Parameters<typeof nodeFs.writeSync>) => {
      if (failing) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      return (nodeFs.writeSync as (...a: unknown[]) => number)(...args)
    }
  } as unknown as StateFs
  const dir = await tempDir(t, 'mrs-iam-disk-')
  const disk = await build(t, { stateFile: join(dir, 'state.json'), fs })
  failing = true
  const token = await getToken(disk, tokenBody('user1', 'x'))
  t.equal(token.statusCode, 500)
  t.same(token.json(), { error: { code: 500, message: 'An unexpected error prevented the server from fulfilling your request.', title: 'Internal Server Error' } })
  t.notOk('x-subject-token' in token.headers, 'a token that was not kept is not sent')
  t.match(token.headers, { 'x-request-id': /^[0-9a-f]{32}$/, 'x-iam-trace-id': /^[0-9a-f]{32}$/ })
  const key = await getKey(disk, keyBody('any'))
  t.same(key.json(), { error_code: 'IAM.0006', error_msg: 'An unexpected error prevented the server from fulfilling your request.' })
})

t.test('what the first round of probing found: secrets of odd bodies, unique names, IAM\'s words for a bad Content-Type, no Host, long values', async (t) => {
  const app = await strictApp(t)
  const send = (url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload })
  await send('/v3/auth/tokens', '{"auth": {"identity": {"password": {"user": {"password": "SECRET-1"}}}},}')
  await send('/v3/auth/tokens', '{"auth": {"identity": {"methods": ["password"], "password": {"user": [{"name": "u", "password": "SECRET-2"}]}}}}')
  await send('/v3/auth/tokens', '{"auth": {"identity": {"methods": ["password", "totp"], "totp": {"user": {"passcode": "SECRET-3"}}}}}')
  await send('/v3.0/OS-CREDENTIAL/securitytokens', '{"auth": {"identity": {"methods": ["token"], "token": {"id": "SECRET-4"}}}')
  await send('/v3.0/OS-CREDENTIAL/securitytokens', '{"auth": {"identity": {"methods": ["token"], "token": [{"id": "SECRET-5"}]}}}')
  // Mistyped: a password given as a string, a token as a bare string, keys in another case.
  await send('/v3/auth/tokens', '{"auth": {"identity": {"methods": ["password"], "password": "SECRET-6"}}}')
  await send('/v3.0/OS-CREDENTIAL/securitytokens', '{"auth": {"identity": {"methods": ["token"], "token": "SECRET-7"}}}')
  await send('/v3/auth/tokens', '{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "u", "Password": "SECRET-8"}}}}}')
  await send('/v3.0/OS-CREDENTIAL/securitytokens', '{"auth": {"identity": {"methods": ["token"], "token": {"ID": "SECRET-9"}}}}')
  const journal = (await app.inject({ url: '/_emulator/requests' })).body + (await app.inject({ url: '/_emulator/requests.har' })).body
  t.notMatch(journal, /SECRET-/, 'no secret of a malformed or odd-shaped body reaches the journal or the HAR')
  const entries = (await app.inject({ url: '/_emulator/requests' })).json().requests
  t.equal(entries[0].body, '[REDACTED: a body that is not JSON]')
  t.same(entries[1].body.auth.identity.password.user, [{ name: 'u', password: '[REDACTED]' }])

  const badType = await send('/v3/auth/tokens', '{}', { 'content-type': ';;;' })
  t.same(badType.json().error, { code: 400, message: 'The request body is invalid: the Content-Type header is malformed; send application/json', title: 'Bad Request' })
  t.same((await send('/v3.0/OS-CREDENTIAL/securitytokens', '{}', { 'content-type': ';;;' })).json(),
    { error_code: 'IAM.0011', error_msg: 'Request body is invalid. The Content-Type header is malformed; send application/json.' })

  const long = 'x'.repeat(60)
  const methods = await getToken(app, { auth: { identity: { methods: [long, long], password: tokenBody('u', 'p').auth.identity.password } } })
  t.match(methods.json().error.message, /not \["x+","x+… \(\d+ characters\)$/, 'a long value is shortened')
  t.equal((await getToken(app, { auth: { identity: { methods: ['password', 'totp', 'totp'], password: tokenBody('u', 'p').auth.identity.password } } })).statusCode, 400)
  t.match((await getKey(app, { auth: { identity: { methods: [long, long] } } })).json().error_msg, /… \(\d+ characters\)\.$/)

  // Project names stay unique, whatever the control plane is asked.
  await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { projects: [{ project_id: 'p1', name: 'p2', iam: { users: [], groups: [] }, clusters: [] }] } })
  const clash = await app.inject({ method: 'PUT', url: '/_emulator/projects/p2/clusters/c1', payload: { state: 'running', synced_users: [], synced_groups: [] } })
  t.equal(clash.statusCode, 409)
  t.same(clash.json(), { error_code: 'EMULATOR.0409', error_msg: 'Project p1 is named p2 already: project names are unique (IAM finds projects by name). Rename it first (PUT /_emulator/state).' })
  await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { projects: [{ project_id: 'p9', name: 'cn-north-4', iam: { users: [], groups: [] }, clusters: [] }] } })
  const reset = await app.inject({ method: 'POST', url: `/_emulator/reset?project_id=${PROJECT}` })
  t.equal(reset.statusCode, 409)
  t.match(reset.json().error_msg, 'Project p9 is named cn-north-4 already')
  t.same((await app.inject({ url: '/_emulator/state' })).json().projects.map((p: { project_id: string }) => p.project_id), ['p9'], 'nothing changed')

  // HTTP/1.0 without Host: links name the address the request reached.
  const { port } = await listening(t, { auth: 'off' })
  const answer = await rawExchange(port, 'GET /v3/auth/domains HTTP/1.0\r\n\r\n')
  t.match(answer, `"self":"http://127.0.0.1:${port}/v3/auth/domains"`)
})

t.test("IAM's token routes, which read a caller's body before they can check it, read a small one only", async (t) => {
  const app = await build(t, { auth: 'strict' })
  const padding = 'x'.repeat(LIMITS.ownAuthBody.value)
  for (const url of ['/v3/auth/tokens', '/v3.0/OS-CREDENTIAL/securitytokens']) {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: `{"padding":"${padding}"}` })
    t.equal(res.statusCode, 413, url)
    t.match(res.json(), { error_code: 'APIGW.0201', error_msg: 'Request entity too large.' })
  }
  const small = await app.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: { auth: { padding: 'x'.repeat(1000) } } })
  t.not(small.statusCode, 413, 'a body under the limit is read and checked')
})

t.test('a temporary key asked with an unknown or expired token in the header: 401 before the body is read', async (t) => {
  const clock = fakeClock()
  const app = await build(t, { auth: 'strict', now: clock.now })
  const ask = (token: string, payload: string) => app.inject({ method: 'POST', url: '/v3.0/OS-CREDENTIAL/securitytokens', headers: { 'content-type': 'application/json', 'x-auth-token': token }, payload })
  const unknown = await ask('no-such-token', '{"not": "a valid body"}')
  t.equal(unknown.statusCode, 401, 'the token, not the body, decides')
  t.same(unknown.json(), { error_code: 'IAM.0067', error_msg: 'Invalid token.' })
  const token = 'emulator-token-ff8080828997cb24018a1b2db3440b80'
  t.equal((await ask(token, '{"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}}')).statusCode, 201, 'a known one goes on to the body')
  t.equal((await ask(token, '{"not": "a valid body"}')).statusCode, 400, 'and then the body is checked')
})

t.test('credentials permissive mode issued for what strict refuses are marked, and strict mode does not take them after a restart', async (t) => {
  const file = await stateFilePath(t, 'mrs-iam-')
  const permissive = await buildApp({ auth: 'permissive', stateFile: file })
  const issue = async (password: string) => {
    const token = (await getToken(permissive, tokenBody('user1', password, { project: { name: 'cn-north-4' } }))).headers['x-subject-token'] as string
    const key = (await getKey(permissive, keyBody(token), { 'x-auth-token': token })).json().credential as { access: string, secret: string, securitytoken: string }
    return { token, key }
  }
  const wrong = await issue('not-the-password')
  const right = await issue('Password-user1')
  const unknownTokensKey = (await getKey(permissive, keyBody('MIIunknown'), { 'x-auth-token': 'MIIunknown' })).json().credential as { access: string, secret: string, securitytoken: string }
  await permissive.close()
  const issued = (await readJson(file)).credentials.filter((c: { issued_at?: string }) => c.issued_at !== undefined)
  t.same(issued.map((c: { unverified?: true }) => c.unverified ?? false), [true, true, false, false, true], 'marked in the state file')

  const strict = await build(t, { auth: 'strict', stateFile: file })
  const mrs = (token: string) => strict.inject({ url: syncPath(), headers: { 'x-auth-token': token } })
  t.match((await mrs(wrong.token)).json(), { error_code: 'APIGW.0301' }, 'a token for a wrong password is unknown to strict mode')
  t.equal((await mrs(right.token)).statusCode, 200, 'one for the right password works')
  t.match((await getKey(strict, keyBody(wrong.token), { 'x-auth-token': wrong.token })).json(), { error_code: 'IAM.0067', error_msg: 'Invalid token.' })
  const withKey = (key: { access: string, secret: string, securitytoken: string }) => {
    const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')
    return strict.inject(signed('GET', syncPath(), undefined, { accessKey: key.access, secretKey: key.secret, securityToken: key.securitytoken }, date))
  }
  t.match((await withKey(wrong.key)).json(), { error_code: 'APIGW.0301', error_msg: /not exist/ }, 'nor is a key issued for such a token')
  t.match((await withKey(unknownTokensKey)).json(), { error_code: 'APIGW.0301', error_msg: /not exist/ }, 'or for an unknown one')
  t.equal((await withKey(right.key)).statusCode, 200, 'a key for a verified token works')
})

t.test('what a caller creates or sizes through IAM is bounded: sub-projects by the quota, links by a Host of a DNS name\'s length', async (t) => {
  const { app, port } = await listening(t, { auth: 'off' })
  const create = (name: string) => app.inject({ method: 'POST', url: '/v3/projects', headers: { 'x-auth-token': 't' }, payload: { project: { name } } })
  for (let i = 0; i < LIMITS.subProjects.value; i++) t.equal((await create(`cn-north-4_p${i}`)).statusCode, 201)
  const refused = await create('cn-north-4_one-more')
  t.equal(refused.statusCode, 409)
  t.same(refused.json(), { error: { code: 409, message: 'The quota of sub-projects in region cn-north-4 is used up: at most 10 (IAM\'s default quota).', title: 'Conflict' } })
  t.equal((await create('cn-south-1_p0')).statusCode, 201, 'a quota per region')
  t.equal((await create('cn-north-4')).statusCode, 201, 'the region\'s own project is no sub-project')
  // And by the world's limit on projects, sub-projects included.
  const projects = Array.from({ length: LIMITS.projects.value }, (_, i) => ({ project_id: `p${i}`, name: i === 0 ? 'cn-north-4' : `p${i}`, iam: { users: [], groups: [] }, clusters: [] }))
  t.equal((await app.inject({ method: 'PUT', url: '/_emulator/state', payload: { projects } })).statusCode, 200)
  const full = await create('cn-north-4_p0')
  t.equal(full.statusCode, 409)
  t.same(full.json(), { error: { code: 409, message: 'The quota of projects is used up: the emulator\'s world holds at most 1,000 projects.', title: 'Conflict' } })
  const longName = await app.inject({ method: 'POST', url: '/v3/auth/tokens', payload: { auth: { identity: { methods: ['password'], password: { user: { domain: { name: 'mrs-emulator' }, name: 'u'.repeat(LIMITS.nameLength.value + 1), password: 'p' } } } } } })
  t.equal(longName.statusCode, 400, 'a token is issued to a user name the world can keep')

  const long = `${'h'.repeat(LIMITS.linkHost.value)}.example`
  const answer = await rawExchange(port, `GET /v3/projects HTTP/1.1\r\nHost: ${long}\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`)
  t.notOk(answer.includes(long), 'a longer Host is in no link')
  t.match(answer, `"self":"http://127.0.0.1:${port}/v3/projects`)
  const fits = 'h'.repeat(LIMITS.linkHost.value - 5) + ':9336'
  t.match(await rawExchange(port, `GET /v3/auth/domains HTTP/1.1\r\nHost: ${fits}\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`), `"self":"http://${fits}/v3/auth/domains"`)
})
