import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { CLUSTER, OTHER_PROJECT, PROJECT, STOPPED_CLUSTER, tempDir } from './helpers.js'
import { startEmulator, type StartOptions } from '../src/start.js'
import type { Fixture } from '../src/core/fixture-schema.js'
import { failure, forgetLookups, mrsClient, regionClient } from './sdk-client.js'

const AK = 'EMULATORAK0000000001'
const SK = 'EmulatorSecretKey0000000000000000000001'

// The SDK is the real part here: it talks HTTP to an emulator listening in this process.
async function serve (t: Test, options: StartOptions = {}) {
  const emulator = await startEmulator({ auth: 'strict', ...options })
  t.teardown(() => emulator.close())
  return emulator
}

t.test("Huawei's SDK core drives all five operations against a strict-mode emulator, SDK-HMAC-SHA256 then V11-HMAC-SHA256", async (t) => {
  const { url } = await serve(t)
  for (const derived of [false, true]) {
    const client = mrsClient({ endpoint: url, ak: AK, sk: SK, projectId: PROJECT, derived })
    t.match(await client.listSyncRequirements(CLUSTER), { is_synchronous: derived, httpStatusCode: 200 })
    t.match(await client.updateSyncIamUser(CLUSTER, { is_all_sync: false, group_names: ['groups1'], user_names: ['user1', 'user2'] }), { state: 'synchronizing', httpStatusCode: 202 })
    t.match(await client.showSyncIamUser(CLUSTER), { user_names: ['user1', 'user2'], group_names: ['groups1'] })
    t.match(await client.listSyncStatus(CLUSTER), { is_synchronizing: false, httpStatusCode: 200 })
    t.match(await client.cancelSyncIamUser(CLUSTER, { group_names: ['groups1'], user_names: ['user1', 'user2'] }), { state: 'synchronizing', httpStatusCode: 202 })
    t.match(await client.cancelSyncIamUser(CLUSTER, {}), { state: 'synchronizing' }, 'an empty body')
    t.match(await client.cancelSyncIamUser(CLUSTER), { state: 'synchronizing' }, 'no body')
    t.match(await client.showSyncIamUser(CLUSTER), { user_names: [], group_names: [] })
  }
})

t.test('what the SDK surfaces on errors', async (t) => {
  const { url } = await serve(t)
  const client = mrsClient({ endpoint: url, ak: AK, sk: SK, projectId: PROJECT })

  const wrongSk = await failure(mrsClient({ endpoint: url, ak: AK, sk: 'wrong', projectId: PROJECT }).showSyncIamUser(CLUSTER))
  t.equal(wrongSk.constructor.name, 'ClientRequestException')
  t.match(wrongSk, { httpStatusCode: 401, errorCode: 'APIGW.0301', errorMsg: 'Incorrect IAM authentication information: verify aksk signature fail, the signature does not match' })
  t.match(wrongSk.requestId, /^[0-9a-f]{32}$/)

  const unknownAk = await failure(mrsClient({ endpoint: url, ak: 'NOSUCHAK', sk: SK, projectId: PROJECT }).listSyncStatus(CLUSTER))
  t.match(unknownAk, { httpStatusCode: 401, errorCode: 'APIGW.0301', errorMsg: 'Incorrect IAM authentication information: ak NOSUCHAK not exist' })

  const otherProject = await failure(mrsClient({ endpoint: url, ak: AK, sk: SK, projectId: OTHER_PROJECT }).listSyncStatus(CLUSTER))
  t.match(otherProject, { httpStatusCode: 403, errorCode: 'APIGW.0306' })

  const missing = await failure(client.cancelSyncIamUser('no-such-cluster', { user_names: ['user1'] }))
  t.equal(missing.constructor.name, 'ClientRequestException')
  t.match(missing, { httpStatusCode: 400, errorCode: '12000003', errorMsg: 'The cluster does not exist.' })
  t.match(missing.requestId, /^[0-9a-f]{32}$/)

  const tooMany = await failure(client.cancelSyncIamUser(CLUSTER, { user_names: Array(1001).fill('u') }))
  t.match(tooMany, { httpStatusCode: 400, errorCode: '12000002', errorMsg: 'user_names must NOT have more than 1000 items' })

  const stopped = await failure(client.cancelSyncIamUser(STOPPED_CLUSTER))
  t.match(stopped, { httpStatusCode: 400, errorCode: '12000054' })

  const ghost = await failure(client.updateSyncIamUser(CLUSTER, { user_names: ['ghost'] }))
  t.equal(ghost.constructor.name, 'ServerResponseException')
  t.match(ghost, { httpStatusCode: 500, errorCode: '12000157', errorMsg: 'Failed to query Iam user or role: ghost' })
  t.match(ghost.requestId, /^[0-9a-f]{32}$/)
})

t.test('temporary keys: the SDK signs X-Security-Token', async (t) => {
  const file = join(await tempDir(t, 'mrs-sdk-'), 'temp.json')
  await writeFile(file, JSON.stringify({
    projects: [{ project_id: PROJECT, iam: { users: [], groups: [] }, clusters: [{ cluster_id: CLUSTER, state: 'running', synced_users: [], synced_groups: [] }] }],
    credentials: [{ access_key: 'TEMPAK', secret_key: 'TEMPSK', security_token: 'sts-token-value', project_id: PROJECT }]
  }))
  const { url } = await serve(t, { fixtures: file })
  const client = mrsClient({ endpoint: url, ak: 'TEMPAK', sk: 'TEMPSK', projectId: PROJECT, securityToken: 'sts-token-value' })
  t.match(await client.showSyncIamUser(CLUSTER), { httpStatusCode: 200 })
})

t.test('the Node SDK\'s fallback: no project of the region\'s own name, so it makes one (POST /v3/projects) and uses it', async (t) => {
  forgetLookups()
  const { url } = await serve(t, {
    auth: 'permissive',
    fixtures: { projects: [{ project_id: 'p1', name: 'cn-east-3_sub', iam: { users: [], groups: [] }, clusters: [] }] }
  })
  const client = regionClient({ endpoint: url, region: 'cn-east-3', ak: 'ANYAK', sk: 'ANYSK' })
  const missing = await failure(client.listSyncStatus(CLUSTER))
  t.match(missing, { httpStatusCode: 400, errorCode: '12000003' }, 'the new project has no clusters')
  const { requests } = await (await fetch(`${url}/_emulator/requests`)).json() as { requests: Array<{ operation: string, path: string, status: number }> }
  t.same(requests.map((r) => [r.operation, r.status]), [
    ['KeystoneListProjects', 200], ['KeystoneListRegions', 200], ['KeystoneListAuthDomains', 200], ['KeystoneCreateProject', 201], ['ListSyncStatus', 400]
  ])
  const created = (await (await fetch(`${url}/_emulator/state`)).json() as Fixture).projects.find((p) => p.name === 'cn-east-3')!
  t.equal(requests[4]!.path, `/v2/${created.project_id}/clusters/${CLUSTER}/iam-sync`)
})
