import t from 'tap'
import {
  ABNORMAL_CLUSTER, build, CLUSTER, JSON_HEADERS, OTHER_PROJECT, PROJECT, STOPPED_CLUSTER, syncPath,
  synchronousPath, TOKEN, userPath
} from '../helpers.js'

const ALL = [
  { method: 'DELETE', url: userPath }, { method: 'POST', url: userPath }, { method: 'GET', url: userPath },
  { method: 'GET', url: syncPath }, { method: 'GET', url: synchronousPath }
] as const

t.test('unknown path or method: 404 APIGW.0101 with request_id equal to X-Request-Id', async (t) => {
  const app = await build(t)
  const requests = [
    { method: 'GET', url: '/' },
    { method: 'GET', url: `/v1/${PROJECT}/clusters/${CLUSTER}/iam-sync-user` },
    { method: 'PUT', url: userPath() },
    { method: 'PATCH', url: userPath() },
    { method: 'DELETE', url: syncPath() },
    { method: 'POST', url: synchronousPath() },
    { method: 'GET', url: `${userPath()}/` }
  ] as const
  for (const { method, url } of requests) {
    const res = await app.inject({ method, url, headers: TOKEN })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.same(res.json(), {
      error_code: 'APIGW.0101',
      error_msg: 'The API does not exist or has not been published in the environment.',
      request_id: res.headers['x-request-id']
    })
  }
})

t.test('missing credentials: 401 APIGW.0301 on every operation, before any other check', async (t) => {
  const app = await build(t)
  for (const { method, url } of ALL) {
    const res = await app.inject({ method, url: url('bad-project!', 'bad cluster'), headers: { 'content-type': 'application/json' }, payload: method === 'GET' ? undefined : '{bad' })
    t.equal(res.statusCode, 401, `${method} ${url()}`)
    t.same(res.json(), {
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: x-auth-token not found',
      request_id: res.headers['x-request-id']
    })
  }
})

t.test('auth off: no credentials needed', async (t) => {
  const app = await build(t, { auth: 'off' })
  const res = await app.inject({ method: 'DELETE', url: userPath() })
  t.equal(res.statusCode, 202)
})

t.test('bad project_id: 400 12000107 naming the value, on every operation', async (t) => {
  const app = await build(t)
  for (const { method, url } of ALL) {
    for (const project of ['ff80-80', 'a'.repeat(65), 'caf%C3%A9']) {
      const res = await app.inject({ method, url: url(project, 'also bad!'), headers: TOKEN })
      t.equal(res.statusCode, 400)
      t.equal(res.json().error_code, '12000107')
      t.match(res.json().error_msg, /^Invalid project ID: /)
    }
  }
  const res = await app.inject({ method: 'GET', url: userPath('ff80-80'), headers: TOKEN })
  t.same(res.json(), { error_code: '12000107', error_msg: 'Invalid project ID: ff80-80.' })
})

t.test('bad cluster_id: 400 12000002 naming the value, whatever its length', async (t) => {
  const app = await build(t)
  for (const { method, url } of ALL) {
    for (const cluster of ['has.dot', 'b'.repeat(65), 'c'.repeat(500), 'sp%20ace']) {
      const res = await app.inject({ method, url: url(PROJECT, cluster), headers: TOKEN })
      t.equal(res.statusCode, 400, `${method} ${cluster.length}`)
      t.equal(res.json().error_code, '12000002')
      t.match(res.json().error_msg, /^Invalid cluster_id: '/)
    }
  }
  const res = await app.inject({ method: 'GET', url: userPath(PROJECT, 'has.dot'), headers: TOKEN })
  t.same(res.json(), { error_code: '12000002', error_msg: "Invalid cluster_id: 'has.dot'. It must be 1 to 64 letters, digits, underscores or hyphens." })
  const long = await app.inject({ method: 'GET', url: userPath(PROJECT, 'c'.repeat(500)), headers: TOKEN })
  t.match(long.json().error_msg, /… \(500 characters\)'/, 'a long value is shortened in the message')
})

t.test('ids of exactly 64 characters are valid', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: userPath('a'.repeat(64), 'b'.repeat(64)), headers: TOKEN })
  t.same(res.json(), { error_code: '12000003', error_msg: 'The cluster does not exist.' })
})

t.test('unknown project or cluster: 400 12000003 on every operation', async (t) => {
  const app = await build(t)
  for (const { method, url } of ALL) {
    for (const [project, cluster] of [[PROJECT, 'no-such-cluster'], ['ffffffffffffffff', CLUSTER], [OTHER_PROJECT, ABNORMAL_CLUSTER]] as const) {
      const res = await app.inject({ method, url: url(project, cluster), headers: TOKEN })
      t.equal(res.statusCode, 400)
      t.same(res.json(), { error_code: '12000003', error_msg: 'The cluster does not exist.' })
    }
  }
})

t.test('a cluster not running or abnormal: 400 12000054 naming its state; the reads still answer', async (t) => {
  const app = await build(t)
  for (const method of ['DELETE', 'POST'] as const) {
    const res = await app.inject({ method, url: userPath(PROJECT, STOPPED_CLUSTER), headers: TOKEN })
    t.equal(res.statusCode, 400)
    t.same(res.json(), { error_code: '12000054', error_msg: 'The operation is not supported. The cluster is stopped; IAM synchronization needs a running or abnormal cluster.' })
  }
  for (const url of [userPath, syncPath, synchronousPath]) {
    t.equal((await app.inject({ method: 'GET', url: url(PROJECT, STOPPED_CLUSTER), headers: TOKEN })).statusCode, 200)
  }
  t.equal((await app.inject({ method: 'DELETE', url: userPath(PROJECT, ABNORMAL_CLUSTER), headers: TOKEN })).statusCode, 202)
})

t.test('anything unexpected: 500 12000004, logged, never a stack trace', async (t) => {
  const logs: string[] = []
  const app = await build(t, { logger: { level: 'error', stream: { write: (line: string) => logs.push(line) } } })
  app.emulator.store.showJson = () => { throw new TypeError('boom at /secret/path.ts:1') }
  const res = await app.inject({ method: 'GET', url: userPath(), headers: TOKEN })
  t.equal(res.statusCode, 500)
  t.equal(res.body, '{"error_code":"12000004","error_msg":"Internal server error."}')
  t.match(logs.join(''), /boom/)

  app.emulator.store.getCluster = () => { throw new TypeError('bang at /secret/path.ts:2') }
  const control = await app.inject({ method: 'GET', url: '/_emulator/projects/p1/clusters/c1' })
  t.equal(control.statusCode, 500)
  t.same(control.json(), { error_code: 'EMULATOR.0500', error_msg: 'Internal error: the emulator failed unexpectedly; its log says why.' }, 'the control plane in its own codes')
  t.match(logs.join(''), /bang/)
})

t.test('every answer carries a fresh 32-hex X-Request-Id', async (t) => {
  const app = await build(t)
  const ids = new Set<string>()
  for (const request of [
    { method: 'GET', url: userPath() }, { method: 'GET', url: '/nowhere' }, { method: 'DELETE', url: userPath() },
    { method: 'DELETE', url: userPath(), headers: JSON_HEADERS, payload: '{' }, { method: 'GET', url: '/_emulator/health' }
  ] as const) {
    const res = await app.inject({ headers: TOKEN, ...request })
    t.match(res.headers['x-request-id'], /^[0-9a-f]{32}$/)
    ids.add(res.headers['x-request-id'] as string)
  }
  t.equal(ids.size, 5)
})

t.test('the request id can be injected', async (t) => {
  const app = await build(t, { requestId: () => '0123456789abcdef0123456789abcdef' })
  const res = await app.inject({ method: 'GET', url: '/' })
  t.equal(res.json().request_id, '0123456789abcdef0123456789abcdef')
})
