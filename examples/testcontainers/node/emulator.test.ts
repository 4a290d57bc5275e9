// Huawei's SDK core for Node.js against the emulator in a container, started by Testcontainers.
// With Docker running: npm install && npm test (Node.js 22.18 or later runs TypeScript as is).
// The image: MRS_EMULATOR_IMAGE, else the release below (OWNER: see the README's "Install").
// No MRS client is published on npm: the SDK core signs and sends the request as the official
// clients do (docs/sdks.md).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core'
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js'
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js'
import type { SdkResponse } from '@huaweicloud/huaweicloud-sdk-core/SdkResponse.js'
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers'

const IMAGE = process.env.MRS_EMULATOR_IMAGE ?? 'ghcr.io/OWNER/mrs-emulator:0.2.0'
let emulator: StartedTestContainer
let client: HcClient

before(async () => {
  emulator = await new GenericContainer(IMAGE)
    .withExposedPorts(9336)
    // Signatures verified as the real gateway verifies them.
    .withEnvironment({ MRS_EMULATOR_AUTH: 'strict' })
    // Ready: the world is loaded and every plane answers.
    .withWaitStrategy(Wait.forHttp('/_emulator/ready', 9336))
    .start()
  const credentials = new BasicCredentials()
    .withAk('EMULATORAK0000000001')
    .withSk('EmulatorSecretKey0000000000000000000001')
    .withProjectId('ff8080828997cb24018a1b2db3440b80')
  client = new ClientBuilder<HcClient>((hcClient) => hcClient)
    .withCredential(credentials)
    // The port Docker mapped, as the SDK's endpoint.
    .withEndpoint(`http://${emulator.getHost()}:${emulator.getMappedPort(9336)}`)
    .withOptions({ customUserAgent: 'my-tests' }) // else the SDK writes ~/.huaweicloud/application_id
    .build()
})

after(() => emulator?.stop())

test('CancelSyncIamUser answers synchronizing', async () => {
  const answer = await client.sendRequest<SdkResponse & { state?: string }>({
    method: 'DELETE',
    url: '/v2/{project_id}/clusters/{cluster_id}/iam-sync-user',
    contentType: 'application/json;charset=UTF-8',
    queryParams: {},
    headers: {},
    pathParams: { cluster_id: 'f7f45c04-4303-411c-9b71-d2cb730dd162' },
    data: { user_names: ['user1', 'user2'], group_names: ['groups1'] }
  })
  assert.equal(answer.state, 'synchronizing')
})
