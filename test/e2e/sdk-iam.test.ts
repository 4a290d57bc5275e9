import { request } from 'node:http'
import t, { type Test } from 'tap'
import { CLUSTER, OTHER_PROJECT, PROJECT } from '../helpers.js'
import { failure, forgetLookups, globalClient, mrsClient, regionClient } from '../sdk-client.js'
import { startServer } from './process.js'

// Huawei's SDK core configured the usual way (a region and an AK/SK, no project id), against a
// real emulator process: it asks the emulator's IAM for the project id, then calls MRS.

const AK = 'EMULATORAK0000000001'
const SK = 'EmulatorSecretKey0000000000000000000001'
const DOMAIN_ID = '0d5e3c1b2a4f48e6a9b7c5d3e1f20a4b'

interface Journal { requests: Array<{ method: string, path: string, operation: string | null, status: number, headers: Record<string, string> }> }

/** POST with a JSON body; the answer's status, raw header names (as sent) and body. */
function post (url: string, body: object, headers: Record<string, string> = {}): Promise<{ status: number, rawHeaders: string[], headers: Record<string, string | string[] | undefined>, body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8', ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk }).on('end', () => {
        resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> })
      })
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

const tokenRequest = (name: string, password: string, region: string) => ({
  auth: { identity: { methods: ['password'], password: { user: { domain: { name: 'mrs-emulator' }, name, password } } }, scope: { project: { name: region } } }
})

for (const mode of ['strict', 'permissive'] as const) {
  t.test(`${mode} mode: Huawei's SDK core, configured by region, through the emulator's IAM`, async (t: Test) => {
    const { url } = await startServer(t, ['--auth', mode], {}, { coverage: false })
    const journal = async (query = '') => (await (await fetch(`${url}/_emulator/requests${query}`)).json()) as Journal
    const clear = () => fetch(`${url}/_emulator/requests`, { method: 'DELETE' })
    const advance = (ms: number) => fetch(`${url}/_emulator/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_ms: ms }) })

    await t.test('BasicCredentials with an AK/SK and a region: the project id comes from IAM, then all five operations', async (t) => {
      forgetLookups()
      await clear()
      const client = regionClient({ endpoint: url, region: 'cn-north-4', ak: AK, sk: SK })
      t.match(await client.listSyncRequirements(CLUSTER), { is_synchronous: false, httpStatusCode: 200 })
      t.match(await client.updateSyncIamUser(CLUSTER, { user_names: ['user1'] }), { state: 'synchronizing', httpStatusCode: 202 })
      t.match(await client.showSyncIamUser(CLUSTER), { user_names: ['user1'], group_names: ['groups1'] })
      t.match(await client.listSyncStatus(CLUSTER), { is_synchronizing: false })
      t.match(await client.cancelSyncIamUser(CLUSTER, { user_names: ['user1'], group_names: ['groups1'] }), { httpStatusCode: 202 })
      const { requests } = await journal()
      const [lookup, ...calls] = requests
      t.match(lookup, { method: 'GET', path: '/v3/projects?name=cn-north-4', operation: 'KeystoneListProjects', status: 200 })
      t.notOk('x-project-id' in lookup!.headers, 'the lookup sends no X-Project-Id')
      t.same(calls.map((c) => [c.operation, c.status, c.headers['x-project-id']]), [
        ['ListSyncRequirements', 200, PROJECT], ['UpdateSyncIamUser', 202, PROJECT], ['ShowSyncIamUser', 200, PROJECT],
        ['ListSyncStatus', 200, PROJECT], ['CancelSyncIamUser', 202, PROJECT]
      ], 'then MRS, on the project IAM named')

      const south = regionClient({ endpoint: url, region: 'cn-south-1', ak: 'EMULATORAK0000000002', sk: 'EmulatorSecretKey0000000000000000000002' })
      t.match(await south.listSyncStatus(CLUSTER), { httpStatusCode: 200 }, 'another region, another project')
      t.match((await journal('?operation=ListSyncStatus')).requests.at(-1), { path: `/v2/${OTHER_PROJECT}/clusters/${CLUSTER}/iam-sync` })
    })

    await t.test('an unknown region: the SDK\'s own error, after IAM answered an empty list', async (t) => {
      forgetLookups()
      await clear()
      const err = await failure(regionClient({ endpoint: url, region: 'cn-north-9', ak: AK, sk: SK }).listSyncStatus(CLUSTER))
      t.equal(err.constructor.name, 'SdkException')
      t.match(err.message, 'the region input is not supported to create project automatically')
      t.same((await journal()).requests.map((r) => [r.operation, r.status]), [['KeystoneListProjects', 200], ['KeystoneListRegions', 200]])
    })

    await t.test('GlobalCredentials: the domain id comes from IAM and goes out as X-Domain-Id', async (t) => {
      forgetLookups()
      await clear()
      const client = globalClient({ endpoint: url, region: 'cn-north-4', ak: AK, sk: SK })
      const answer = await client.sendRequest({ method: 'GET', url: '/v3/auth/projects', contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {} })
      t.equal((answer.projects as unknown[]).length, 2)
      const { requests } = await journal()
      t.same(requests.map((r) => r.operation), ['KeystoneListAuthDomains', 'KeystoneListAuthProjects'])
      t.equal(requests[1]!.headers['x-domain-id'], DOMAIN_ID)
    })

    await t.test('a token from POST /v3/auth/tokens works with X-Auth-Token until the clock passes its expiry', async (t) => {
      const res = await post(`${url}/v3/auth/tokens?nocatalog=true`, tokenRequest('user1', 'Password-user1', 'cn-north-4'))
      t.equal(res.status, 201)
      t.ok(res.rawHeaders.includes('X-Subject-Token'), 'spelled X-Subject-Token, as scripts grep for it')
      t.ok(res.rawHeaders.includes('X-IAM-Trace-Id') || res.rawHeaders.includes('x-iam-trace-id'))
      const token = res.headers['x-subject-token'] as string
      const mrs = () => fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync`, { headers: { 'x-auth-token': token } })
      t.equal((await mrs()).status, 200)
      await advance(24 * 3600 * 1000)
      const late = await mrs()
      if (mode === 'strict') {
        t.equal(late.status, 401)
        t.match(await late.json(), { error_code: 'APIGW.0307', error_msg: 'The token must be updated.' })
      } else {
        t.equal(late.status, 200, 'permissive mode checks no values')
      }
      const wrong = await post(`${url}/v3/auth/tokens`, tokenRequest('user1', 'wrong', 'cn-north-4'))
      t.equal(wrong.status, mode === 'strict' ? 401 : 201)
    })

    await t.test('a temporary key from /v3.0/OS-CREDENTIAL/securitytokens works with its security token', async (t) => {
      const token = (await post(`${url}/v3/auth/tokens`, tokenRequest('user1', 'Password-user1', 'cn-north-4'))).headers['x-subject-token'] as string
      // As Huawei's Node SDK asks: the token in X-Auth-Token; as the Python and Go SDKs do: in the body.
      const byHeader = await post(`${url}/v3.0/OS-CREDENTIAL/securitytokens`, { auth: { identity: { methods: ['token'], token: { duration_seconds: 21600 } } } }, { 'x-auth-token': token })
      const byBody = await post(`${url}/v3.0/OS-CREDENTIAL/securitytokens`, { auth: { identity: { methods: ['token'], token: { id: token, duration_seconds: 900 } } } })
      t.equal(byHeader.status, 201)
      t.equal(byBody.status, 201)
      const key = (res: typeof byHeader) => res.body.credential as { access: string, secret: string, securitytoken: string }
      const withKey = (res: typeof byHeader) => mrsClient({ endpoint: url, ak: key(res).access, sk: key(res).secret, securityToken: key(res).securitytoken, projectId: PROJECT })
      t.match(await withKey(byHeader).showSyncIamUser(CLUSTER), { httpStatusCode: 200 })
      t.match(await withKey(byBody).listSyncStatus(CLUSTER), { httpStatusCode: 200 })
      forgetLookups()
      const regional = regionClient({ endpoint: url, region: 'cn-north-4', ak: key(byHeader).access, sk: key(byHeader).secret, securityToken: key(byHeader).securitytoken })
      t.match(await regional.listSyncStatus(CLUSTER), { httpStatusCode: 200 }, 'the region way too: IAM takes the temporary key')

      await advance(900_000)
      if (mode === 'strict') {
        const late = await failure(withKey(byBody).listSyncStatus(CLUSTER))
        t.match(late, { httpStatusCode: 401, errorCode: 'APIGW.0307', errorMsg: 'The token must be updated.' })
      }
      t.match(await withKey(byHeader).listSyncStatus(CLUSTER), { httpStatusCode: 200 }, 'the six-hour key still works')
    })
  })
}
