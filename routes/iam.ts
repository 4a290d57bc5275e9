import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { iamFieldInvalid, shorten } from '../src/core/errors.js'
import { LIMITS, worded } from '../src/core/limits.js'
import { urlOf } from '../src/core/url.js'
import {
  AuthProjectListSchema, CreatedProjectSchema, CreateProjectRequestSchema, DomainListSchema, IamOperation, KeystoneErrorSchema,
  ProjectListSchema, ProjectsQuerySchema, RegionListSchema, SecurityTokenBodySchema, SecurityTokenRequestSchema, TokenBodySchema,
  TokenQuerySchema, TokenRequestSchema
} from '../src/core/iam-schema.js'

/**
 * Where this emulator is, as the client reached it: IAM's links and the token catalog point
 * here (the real ones name `https://iam.myhuaweicloud.com`).
 */
const baseOf = (request: FastifyRequest) => {
  const host = request.host
  // A Host longer than a DNS name and a port would make every link as long (an answer's size a
  // caller would control): it gives way to the address reached.
  if (host !== undefined && host !== '' && host.length <= LIMITS.linkHost.value) return `${request.protocol}://${host}`
  // An HTTP/1.0 request may name no Host: the address it reached.
  return urlOf(request.socket.localAddress!, request.socket.localPort!)
}
const selfOf = (request: FastifyRequest) => `${baseOf(request)}${request.url}`

const send = (reply: FastifyReply, status: number, body: object): void => {
  reply.request.sentBody = body
  reply.code(status).send(body)
}

/**
 * The part of IAM that clients call before MRS (PRODUCT.md §1.1, reference/iam-api.md): project
 * and domain lookups, regions, the Node SDK's project creation, password tokens and temporary
 * keys. Behind the same gateway as MRS: auth modes (the lookups take any credential of the
 * domain; the token routes check their own), fault rules, journal, request ids.
 */
export const iamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { iam } = app.emulator
  const lookup = (operation: string) => ({ operation, iam: 'keystone' as const })

  app.get('/v3/projects', {
    config: lookup(IamOperation.KeystoneListProjects),
    schema: {
      summary: 'List projects (the SDKs find a region\'s project id here: ?name=<region>)',
      querystring: ProjectsQuerySchema,
      response: { 200: ProjectListSchema }
    }
  }, (request, reply) => send(reply, 200, {
    projects: iam.listProjects(request.query, baseOf(request)),
    links: { self: selfOf(request), previous: null, next: null }
  }))

  app.get('/v3/auth/projects', {
    config: lookup(IamOperation.KeystoneListAuthProjects),
    schema: {
      summary: 'List the projects the caller can access: every project of the account',
      response: { 200: AuthProjectListSchema }
    }
  }, (request, reply) => send(reply, 200, { projects: iam.allProjects(baseOf(request)), links: { self: selfOf(request) } }))

  app.get('/v3/auth/domains', {
    config: lookup(IamOperation.KeystoneListAuthDomains),
    schema: {
      summary: 'List the accounts the caller can access: the world\'s domain',
      response: { 200: DomainListSchema }
    }
  }, (request, reply) => {
    const { id, name } = iam.domain
    send(reply, 200, {
      domains: [{ description: '', enabled: true, id, links: { self: `${baseOf(request)}/v3/domains/${id}` }, name }],
      links: { self: selfOf(request) }
    })
  })

  app.get('/v3/regions', {
    config: lookup(IamOperation.KeystoneListRegions),
    schema: {
      summary: 'List the regions: the region of every project name, each public',
      response: { 200: RegionListSchema }
    }
  }, (request, reply) => send(reply, 200, {
    regions: iam.regions().map((id) => ({
      parent_region_id: null,
      description: '',
      links: { self: `${baseOf(request)}/v3/regions/${id}` },
      type: 'public',
      id,
      locales: { 'en-us': id }
    })),
    links: { self: selfOf(request), previous: null, next: null }
  }))

  app.post('/v3/projects', {
    config: lookup(IamOperation.KeystoneCreateProject),
    schema: {
      summary: 'Create a project: a region\'s own (the Node SDK\'s fallback) or a sub-project',
      body: CreateProjectRequestSchema,
      response: { 201: CreatedProjectSchema, 409: KeystoneErrorSchema }
    }
  }, (request, reply) => {
    const { id, project } = iam.createProject(request.body)
    send(reply, 201, { project: iam.projectResult(id, project, baseOf(request), false) })
  })

  app.post('/v3/auth/tokens', {
    config: { operation: IamOperation.KeystoneCreateUserTokenByPassword, iam: 'keystone', ownAuth: true },
    schema: {
      summary: `Get a token with a user's password: X-Subject-Token, valid ${worded(LIMITS.tokenLifetime)} on the emulator's clock`,
      querystring: TokenQuerySchema,
      body: TokenRequestSchema,
      response: {
        201: { ...TokenBodySchema, headers: { 'X-Subject-Token': Type.String({ description: 'The token: send it as X-Auth-Token.' }) } }
      }
    }
  }, (request, reply) => {
    const nocatalog = request.query.nocatalog
    const { token, body } = iam.issueToken(request.body, nocatalog === undefined || nocatalog === '', baseOf(request))
    // Spelled so on the wire: scripts grep for it case-sensitively (reference/iam-api.md §6).
    reply.exactHeader('X-Subject-Token', token)
    send(reply, 201, body)
  })

  app.post('/v3.0/OS-CREDENTIAL/securitytokens', {
    config: { operation: IamOperation.CreateTemporaryAccessKeyByToken, iam: 'iam', ownAuth: true },
    // A token in the header is checked before the body is read: an unknown or expired one gets
    // its 401 at once, as the gateway answers credentials it can check from the headers.
    onRequest: (request, reply, done) => {
      const header = request.headers['x-auth-token']
      done(typeof header === 'string' && header !== '' ? iam.tokenProblem(header) : undefined)
    },
    schema: {
      summary: 'Get a temporary AK/SK and security token with a token (X-Auth-Token, or auth.identity.token.id)',
      body: SecurityTokenRequestSchema,
      response: { 201: SecurityTokenBodySchema }
    }
  }, (request, reply) => {
    const { identity } = request.body.auth
    if (!identity.methods.includes('token') || identity.methods.length !== 1) {
      throw iamFieldInvalid('auth.identity.methods', `the emulator issues temporary keys by token only (["token"]), not ${shorten(JSON.stringify(identity.methods))}.`)
    }
    const header = request.headers['x-auth-token']
    // The header wins over the body (the IAM docs).
    const token = typeof header === 'string' && header !== '' ? header : identity.token?.id
    send(reply, 201, iam.issueTemporaryKey(token, identity.token?.duration_seconds))
  })
}
