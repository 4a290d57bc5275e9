import { createRequire } from 'node:module'

/**
 * Huawei's own Node.js SDK core as the client: it signs requests exactly as the official MRS
 * client does. No MRS client package is published on npm, so this class builds the same
 * request options that the generated `MrsClient` methods build.
 */
const require = createRequire(import.meta.url)
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder')
const { BasicCredentials, GlobalCredentials, Region } = require('@huaweicloud/huaweicloud-sdk-core')
const { AuthCache } = require('@huaweicloud/huaweicloud-sdk-core/internal/services/authcache')
const { Logger4jInstance } = require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger')
// The SDK logs failed requests, Authorization header included, to stdout.
Logger4jInstance.level = 'off'

export interface HcClient { sendRequest (options: object): Promise<Record<string, unknown>> }
export interface SdkError { httpStatusCode: number, errorCode: string, errorMsg: string, requestId: string }

/** The SDK's exception for a call that must fail. */
export async function failure (call: Promise<unknown>): Promise<SdkError & Error> {
  try {
    await call
  } catch (err) {
    return err as SdkError & Error
  }
  throw new Error('the call succeeded')
}

export class MrsIamSyncClient {
  constructor (private readonly hcClient: HcClient) {}

  #send (method: string, path: string, clusterId: string, data?: object) {
    return this.hcClient.sendRequest({
      method,
      url: `/v2/{project_id}/clusters/{cluster_id}/${path}`,
      contentType: 'application/json;charset=UTF-8',
      queryParams: {},
      pathParams: { cluster_id: clusterId },
      headers: {},
      data
    })
  }

  cancelSyncIamUser (clusterId: string, body?: { user_names?: string[], group_names?: string[] }) { return this.#send('DELETE', 'iam-sync-user', clusterId, body) }
  updateSyncIamUser (clusterId: string, body?: { is_all_sync?: boolean, user_names?: string[], group_names?: string[] }) { return this.#send('POST', 'iam-sync-user', clusterId, body) }
  showSyncIamUser (clusterId: string) { return this.#send('GET', 'iam-sync-user', clusterId) }
  listSyncStatus (clusterId: string) { return this.#send('GET', 'iam-sync', clusterId) }
  listSyncRequirements (clusterId: string) { return this.#send('GET', 'iam-sync/is-synchronous', clusterId) }
}

/** `endpoint`: the emulator, or several (the SDK tries the second when the first times out). */
export interface ClientOptions { endpoint: string | string[], ak: string, sk: string, projectId: string, securityToken?: string, derived?: boolean }

/** A client as a user would build one: endpoint overridden to the emulator, AK/SK, project id. */
export function mrsClient ({ endpoint, ak, sk, projectId, securityToken, derived }: ClientOptions): MrsIamSyncClient {
  let credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId)
  if (securityToken !== undefined) credentials = credentials.withSecurityToken(securityToken)
  // V11-HMAC-SHA256: a region id and a service name for the scope, and the SDK's own
  // predicate, which derives keys for any endpoint that is not a huaweicloud.com host.
  if (derived === true) credentials = credentials.withRegionId('cn-north-4').withDerivedPredicate((request: unknown) => BasicCredentials.getDefaultDerivedPredicate(request))
  const builder = new ClientBuilder((hcClient: HcClient) => new MrsIamSyncClient(hcClient))
    .withCredential(credentials)
    .withEndpoint(endpoint)
    .withOptions({ customUserAgent: 'mrs-emulator-tests' })
  return (derived === true ? builder.withDerivedAuthServiceName('mrs') : builder).build()
}

export interface RegionClientOptions { endpoint: string, region: string, ak: string, sk: string, securityToken?: string }

/**
 * A client as Huawei's samples build one: a region whose endpoint is the emulator, an AK/SK and
 * no project id, IAM's endpoint the emulator too. The SDK asks IAM for the region's project id
 * before its first call.
 */
export function regionClient ({ endpoint, region, ak, sk, securityToken }: RegionClientOptions): MrsIamSyncClient {
  let credentials = new BasicCredentials().withAk(ak).withSk(sk).withIamEndpoint(endpoint)
  if (securityToken !== undefined) credentials = credentials.withSecurityToken(securityToken)
  return new ClientBuilder((hcClient: HcClient) => new MrsIamSyncClient(hcClient))
    .withCredential(credentials)
    .withRegion(new Region(region, endpoint))
    .withOptions({ customUserAgent: 'mrs-emulator-tests' })
    .build()
}

/** A domain-level client (`GlobalCredentials`, no domain id): the SDK asks IAM for the domain id. */
export function globalClient ({ endpoint, region, ak, sk }: RegionClientOptions): HcClient {
  const credentials = new GlobalCredentials().withAk(ak).withSk(sk).withIamEndpoint(endpoint)
  return new ClientBuilder((hcClient: HcClient) => hcClient)
    .withCredential(credentials)
    .withRegion(new Region(region, endpoint))
    .withOptions({ customUserAgent: 'mrs-emulator-tests' })
    .build()
}

/** The SDK keeps the ids it looked up for the whole process, by AK and region: each test starts without them. */
export function forgetLookups (): void {
  (AuthCache.instance() as { authMap: Map<string, string> }).authMap.clear()
}
