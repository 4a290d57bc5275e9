import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/package-info.js'
import { mrsClient } from '../sdk-client.js'
import { tempDir } from '../helpers.js'
import { startServer } from './process.js'

/*
 * Huawei's Node.js SDK over https:// (--tls auto), on the same port as http://, with the emulator's
 * CA trusted in this process as a Node.js user trusts one (NODE_EXTRA_CA_CERTS does the same for
 * a whole process). Python's, Go's and Java's suites have their https:// leg in test/sdk/run.
 */
const cases = JSON.parse(await readFile(join(PACKAGE_ROOT, 'test', 'sdk', 'cases.json'), 'utf8')) as { project_id: string, cluster_id: string, region: string, ak: string, sk: string, domain_id: string }
const require = createRequire(import.meta.url)
const iam = require('@huaweicloud/huaweicloud-sdk-iam/v3/public-api')
const { GlobalCredentials } = require('@huaweicloud/huaweicloud-sdk-core')

t.test("Huawei's Node.js SDK over https://, the emulator's CA trusted", async (t) => {
  const dir = await tempDir(t, 'mrs-sdk-https-')
  const { url } = await startServer(t, ['--auth', 'strict', '--tls', 'auto', '--tls-dir', dir], {}, { coverage: false })
  const https = url.replace('http:', 'https:')
  const ca = await (await fetch(`${url}/_emulator/ca.pem`)).text()
  setDefaultCACertificates([...getCACertificates('default'), ca])

  const answer = await mrsClient({ endpoint: https, ak: cases.ak, sk: cases.sk, projectId: cases.project_id }).cancelSyncIamUser(cases.cluster_id, { user_names: ['user1'] })
  t.match(answer, { httpStatusCode: 202, state: 'synchronizing' })
  const iamClient = iam.IamClient.newBuilder()
    .withCredential(new GlobalCredentials().withAk(cases.ak).withSk(cases.sk).withDomainId(cases.domain_id))
    .withEndpoint(https)
    .withOptions({ customUserAgent: 'mrs-emulator-tests' })
    .build()
  const projects = await iamClient.keystoneListProjects(new iam.KeystoneListProjectsRequest().withName(cases.region))
  t.same(projects.projects.map((p: { id: string }) => p.id), [cases.project_id])

  const { requests } = await (await fetch(`${url}/_emulator/requests`)).json() as { requests: Array<{ operation: string, scheme: string, status: number }> }
  t.same(requests.map((r) => [r.operation, r.scheme, r.status]), [['CancelSyncIamUser', 'https', 202], ['KeystoneListProjects', 'https', 200]], 'signed and verified over TLS')
})
