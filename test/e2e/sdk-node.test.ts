import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/package-info.js'
import { failure, mrsClient } from '../sdk-client.js'
import { startServer } from './process.js'

/*
 * Huawei's Node.js SDK against a real emulator process: the same checks as the Python, Go and
 * Java suites under test/sdk/, read from the same test/sdk/cases.json. The MRS calls go through
 * the SDK core (no MRS package is published for Node.js: test/sdk-client.ts); IAM's through the
 * published IAM client, @huaweicloud/huaweicloud-sdk-iam.
 */

interface Fault { status: number, error_code: string, error_msg: string }
interface Entry { request_id: string, operation: string, status: number, fault_id: string | null, headers: Record<string, string>, body: unknown, response: { headers: Record<string, string>, body: unknown } }
const cases = JSON.parse(await readFile(join(PACKAGE_ROOT, 'test', 'sdk', 'cases.json'), 'utf8')) as {
  project_id: string,
  cluster_id: string,
  region: string,
  ak: string,
  sk: string,
  domain_id: string,
  domain_name: string,
  user: { name: string, password: string },
  faults: Fault[]
}

const require = createRequire(import.meta.url)
// The package's root also loads its v5 API, which fails in this version (it requires a module
// named './GlobalCredentials,BasicCredentials'): v3 is imported on its own, as the package allows.
const iam = require('@huaweicloud/huaweicloud-sdk-iam/v3/public-api')
const { GlobalCredentials } = require('@huaweicloud/huaweicloud-sdk-core')

/**
 * The model as the SDK handed it over, held against the body the emulator sent: every field on
 * the wire arrived under its own name with its own value. (The Node.js SDK hands over the parsed
 * body, so this guards against a mangled body rather than a model's renamed field.) A secret the journal shows as
 * [REDACTED] matches any non-empty string; the status and response headers the model carries
 * beside the body are left out.
 */
function sameAsWire (model: unknown, wire: unknown): boolean {
  if (wire === '[REDACTED]') return typeof model === 'string' && model !== ''
  if (Array.isArray(wire)) return Array.isArray(model) && model.length === wire.length && wire.every((w, i) => sameAsWire(model[i], w))
  if (wire !== null && typeof wire === 'object') {
    if (model === null || typeof model !== 'object') return false
    const held = model as Record<string, unknown>
    return Object.entries(wire).every(([name, value]) => sameAsWire(held[name], value))
  }
  return model === wire
}

t.test("Huawei's Node.js SDK, the checks every language's suite makes", async (t) => {
  const { url } = await startServer(t, ['--auth', 'strict'], {}, { coverage: false })
  const control = async (method: string, path: string, body?: object) => {
    const answer = await fetch(`${url}/_emulator/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: answer.status, body: answer.status === 204 ? null : await answer.json() as Record<string, unknown> }
  }
  const journal = async (query = '') => (await control('GET', `requests${query}`)).body!.requests as Entry[]
  const last = async () => (await journal('?limit=1'))[0]!
  const client = () => mrsClient({ endpoint: url, ak: cases.ak, sk: cases.sk, projectId: cases.project_id })
  t.beforeEach(async () => { t.equal((await control('POST', 'reset')).status, 200) })

  await t.test('the five operations: each answer is exactly the body sent, with its status', async (t) => {
    const c = client()
    const body = ({ httpStatusCode, ...rest }: Record<string, unknown>) => ({ status: httpStatusCode, body: rest })
    const users = { user_names: ['user1', 'user2'], group_names: ['groups1'] }
    t.same(body(await c.updateSyncIamUser(cases.cluster_id, { is_all_sync: false, ...users })), { status: 202, body: { state: 'synchronizing' } })
    t.same(body(await c.showSyncIamUser(cases.cluster_id)), { status: 200, body: users })
    t.same(body(await c.listSyncStatus(cases.cluster_id)), { status: 200, body: { is_synchronizing: false } })
    t.same(body(await c.listSyncRequirements(cases.cluster_id)), { status: 200, body: { is_synchronous: true } })
    t.same(body(await c.cancelSyncIamUser(cases.cluster_id, users)), { status: 202, body: { state: 'synchronizing' } })
    t.same(body(await c.cancelSyncIamUser(cases.cluster_id)), { status: 202, body: { state: 'synchronizing' } })
    t.same(body(await c.showSyncIamUser(cases.cluster_id)), { status: 200, body: { user_names: [], group_names: [] } })
    t.same((await journal()).map((e) => e.operation), ['UpdateSyncIamUser', 'ShowSyncIamUser', 'ListSyncStatus', 'ListSyncRequirements', 'CancelSyncIamUser', 'CancelSyncIamUser', 'ShowSyncIamUser'])
  })

  for (const fault of cases.faults) {
    await t.test(`a fault rule's ${fault.status} is the SDK's own exception`, async (t) => {
      const rule = `fault-${fault.status}`
      t.equal((await control('POST', 'faults', { id: rule, match: { operation: 'CancelSyncIamUser' }, action: fault, times: 1 })).status, 201)
      const error = await failure(client().cancelSyncIamUser(cases.cluster_id, { user_names: ['user1'] }))
      t.equal(error.constructor.name, fault.status < 500 ? 'ClientRequestException' : 'ServerResponseException')
      const entries = await journal('?operation=CancelSyncIamUser')
      t.same(entries.map((e) => e.fault_id), [rule], 'the rule answered, and the SDK retried nothing')
      t.same({ status: error.httpStatusCode, code: error.errorCode, msg: error.errorMsg, id: error.requestId },
        { status: fault.status, code: fault.error_code, msg: fault.error_msg, id: entries[0]!.request_id })
      t.same(entries[0]!.body, { user_names: ['user1'] })
    })
  }

  await t.test("the SDK's own retry: a 504 goes once more, re-signed, to the client's second endpoint", async (t) => {
    t.equal((await control('POST', 'faults', { id: 'gateway-timeout', match: { operation: 'ListSyncStatus' }, action: { status: 504, error_code: 'APIGW.0504', error_msg: 'Backend timeout.' }, times: 1 })).status, 201)
    const twice = mrsClient({ endpoint: [url, url], ak: cases.ak, sk: cases.sk, projectId: cases.project_id })
    t.match(await twice.listSyncStatus(cases.cluster_id), { is_synchronizing: false, httpStatusCode: 200 })
    t.same((await journal('?operation=ListSyncStatus')).map((e) => [e.status, e.fault_id]), [[504, 'gateway-timeout'], [200, null]])
    t.equal((await control('POST', 'faults', { match: { operation: 'ListSyncStatus' }, action: { status: 504, error_code: 'APIGW.0504', error_msg: 'Backend timeout.' }, times: 1 })).status, 201)
    t.match(await failure(client().listSyncStatus(cases.cluster_id)), { httpStatusCode: 504 }, 'with one endpoint, no retry')
  })

  await t.test('the IAM client: projects, a token, a temporary key, then MRS with its security token', async (t) => {
    const iamClient = iam.IamClient.newBuilder()
      .withCredential(new GlobalCredentials().withAk(cases.ak).withSk(cases.sk).withDomainId(cases.domain_id))
      .withEndpoint(url)
      .withOptions({ customUserAgent: 'mrs-emulator-tests' })
      .build()

    const projects = await iamClient.keystoneListProjects(new iam.KeystoneListProjectsRequest().withName(cases.region))
    t.equal(projects.httpStatusCode, 200)
    t.ok(sameAsWire(projects, (await last()).response.body), 'the projects model holds what was sent')
    t.same(projects.projects.map((p: { id: string, name: string }) => [p.id, p.name]), [[cases.project_id, cases.region]])

    const token = await iamClient.keystoneCreateUserTokenByPassword(new iam.KeystoneCreateUserTokenByPasswordRequest()
      .withNocatalog('true')
      .withBody(new iam.KeystoneCreateUserTokenByPasswordRequestBody().withAuth(new iam.PwdAuth()
        .withIdentity(new iam.PwdIdentity().withMethods(['password']).withPassword(new iam.PwdPassword().withUser(new iam.PwdPasswordUser()
          .withDomain(new iam.PwdPasswordUserDomain().withName(cases.domain_name)).withName(cases.user.name).withPassword(cases.user.password))))
        .withScope(new iam.AuthScope().withProject(new iam.AuthScopeProject().withName(cases.region))))))
    t.equal(token.httpStatusCode, 201)
    const tokenEntry = await last()
    t.ok(sameAsWire(token, tokenEntry.response.body), 'the token model holds what was sent')
    t.equal(token.token.project.id, cases.project_id)
    // The Node.js SDK hands over the parsed body itself, not a model instance (HcClient's
    // extractResponse), with the declared response header added under its own name.
    const subjectToken = token['X-Subject-Token'] as string
    t.match(subjectToken, /\S/, 'X-Subject-Token reaches the answer')
    t.equal(tokenEntry.response.headers['x-subject-token'], '[REDACTED]')

    const key = await iamClient.createTemporaryAccessKeyByToken(new iam.CreateTemporaryAccessKeyByTokenRequest()
      .withBody(new iam.CreateTemporaryAccessKeyByTokenRequestBody().withAuth(new iam.TokenAuth().withIdentity(new iam.TokenAuthIdentity()
        .withMethods(['token']).withToken(new iam.IdentityToken().withId(subjectToken).withDurationSeconds(3600))))))
    t.equal(key.httpStatusCode, 201)
    t.ok(sameAsWire(key, (await last()).response.body), 'the credential model holds what was sent')

    const temporary = mrsClient({ endpoint: url, ak: key.credential.access, sk: key.credential.secret, projectId: cases.project_id, securityToken: key.credential.securitytoken })
    t.match(await temporary.listSyncStatus(cases.cluster_id), { is_synchronizing: false })
    t.equal((await last()).headers['x-security-token'], '[REDACTED]')
  })
})
