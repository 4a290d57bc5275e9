import SwaggerParser from '@apidevtools/swagger-parser'
import t from 'tap'
import { build } from '../../helpers.js'

t.test('GET /_emulator/openapi.json: a valid OpenAPI 3 document of the API and the control plane', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/_emulator/openapi.json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  await SwaggerParser.validate(structuredClone(doc))
  t.match(doc.openapi, /^3\./)

  const operations = new Map<string, { method: string, path: string, tags: string[], responses: Record<string, unknown> }>()
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId: string, tags: string[], responses: Record<string, unknown> }>>)) {
    for (const [method, op] of Object.entries(item)) operations.set(op.operationId, { method, path, tags: op.tags, responses: op.responses })
  }
  const api = {
    CancelSyncIamUser: ['delete', '/v2/{project_id}/clusters/{cluster_id}/iam-sync-user', '202'],
    UpdateSyncIamUser: ['post', '/v2/{project_id}/clusters/{cluster_id}/iam-sync-user', '202'],
    ShowSyncIamUser: ['get', '/v2/{project_id}/clusters/{cluster_id}/iam-sync-user', '200'],
    ListSyncStatus: ['get', '/v2/{project_id}/clusters/{cluster_id}/iam-sync', '200'],
    ListSyncRequirements: ['get', '/v2/{project_id}/clusters/{cluster_id}/iam-sync/is-synchronous', '200']
  }
  for (const [id, [method, path, success]] of Object.entries(api)) {
    const op = operations.get(id)!
    t.match(op, { method, path, tags: ['IAM Synchronization'] }, id)
    t.same(Object.keys(op.responses).sort(), [success, '400', '401', '403', '404', '413', '429', '500', '503'].sort(), `${id} documents its errors`)
  }
  const iam: Record<string, [string, string, string]> = {
    KeystoneListProjects: ['get', '/v3/projects', '200'],
    KeystoneListAuthProjects: ['get', '/v3/auth/projects', '200'],
    KeystoneListAuthDomains: ['get', '/v3/auth/domains', '200'],
    KeystoneListRegions: ['get', '/v3/regions', '200'],
    KeystoneCreateProject: ['post', '/v3/projects', '201'],
    KeystoneCreateUserTokenByPassword: ['post', '/v3/auth/tokens', '201'],
    CreateTemporaryAccessKeyByToken: ['post', '/v3.0/OS-CREDENTIAL/securitytokens', '201']
  }
  for (const [id, [method, path, success]] of Object.entries(iam)) {
    const op = operations.get(id)!
    t.match(op, { method, path, tags: ['IAM'] }, id)
    t.ok(op.responses[success] !== undefined && op.responses['401'] !== undefined, `${id} documents its answer and 401`)
  }
  t.match(operations.get('KeystoneCreateUserTokenByPassword')!.responses['201'], { headers: { 'X-Subject-Token': { schema: { type: 'string' } } } })
  t.match(doc.tags, [{ name: 'IAM Synchronization' }, { name: 'IAM' }, { name: 'Emulator control plane' }])
  const control = [...operations.values()].filter((op) => op.path.startsWith('/_emulator/'))
  t.ok(control.length >= 15, 'the control plane is there')
  t.ok(control.every((op) => op.tags[0] === 'Emulator control plane'), 'tagged apart')
  t.ok(operations.has('EmulatorAddFault') && operations.has('EmulatorListRequests') && operations.has('EmulatorPutCluster'))
  for (const id of ['EmulatorExportRequests', 'EmulatorGetClock', 'EmulatorAdvanceClock']) t.ok(operations.has(id), id)

  // Bodies the SDKs leave out when empty are optional; the control plane's bodies are required.
  const bodies = Object.fromEntries(Object.values(doc.paths as Record<string, Record<string, { operationId: string, requestBody?: { required: boolean } }>>)
    .flatMap((item) => Object.values(item)).filter((op) => op.requestBody !== undefined).map((op) => [op.operationId, op.requestBody!.required]))
  t.same(bodies, { CancelSyncIamUser: false, UpdateSyncIamUser: false, KeystoneCreateProject: true, KeystoneCreateUserTokenByPassword: true, CreateTemporaryAccessKeyByToken: true, EmulatorPutState: true, EmulatorAdvanceClock: true, EmulatorPutCluster: true, EmulatorAddFault: true })
  t.notMatch(res.body, 'x-body-optional', 'the marker does not leak')
  const params = (id: string) => ((Object.values(doc.paths as Record<string, Record<string, { operationId: string, parameters?: Array<{ name: string, in: string }> }>>)
    .flatMap((item) => Object.values(item)).find((op) => op.operationId === id)!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name))
  t.same(params('EmulatorListRequests'), ['operation', 'method', 'project_id', 'cluster_id', 'status', 'error_code', 'fault_id', 'since', 'limit', 'wait_ms'])
  t.same(params('EmulatorReset'), ['project_id'])
  t.same(params('EmulatorCompleteTasks'), ['project_id', 'cluster_id'])
})
