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
    t.same(Object.keys(op.responses).sort(), [success, '400', '401', '403', '404', '413', '500', '503'].sort(), `${id} documents its errors`)
  }
  const control = [...operations.values()].filter((op) => op.path.startsWith('/_emulator/'))
  t.ok(control.length >= 15, 'the control plane is there')
  t.ok(control.every((op) => op.tags[0] === 'Emulator control plane'), 'tagged apart')
  t.ok(operations.has('EmulatorAddFault') && operations.has('EmulatorListRequests') && operations.has('EmulatorPutCluster'))
})
