import { once } from 'node:events'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { CLUSTER, PROJECT } from '../helpers.js'
import { startServer } from './process.js'

const IN_FLIGHT = 10

t.test('SIGTERM lets in-flight requests finish, refuses new ones, flushes the state file and exits 0', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'mrs-term-')), 'state.json')
  const { url, child } = await startServer(t, ['--state-file', file, '--auth', 'off'])
  const control = `${url}/_emulator`
  // Every cancel waits 400 ms inside the emulator, so all of them are in flight at SIGTERM.
  await fetch(`${control}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: { operation: 'CancelSyncIamUser' }, action: { delay_ms: 400 } }) })
  await fetch(`${control}/projects/${PROJECT}/clusters/${CLUSTER}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state: 'running', synced_users: Array.from({ length: IN_FLIGHT }, (_, i) => `u${i}`), synced_groups: [] })
  })
  const cancels = Array.from({ length: IN_FLIGHT }, (_, i) =>
    fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_names: [`u${i}`] }) }))
  // Wait until every cancel has reached the emulator: the fault counts them.
  for (;;) {
    const { faults } = await (await fetch(`${control}/faults`)).json() as { faults: Array<{ hits: number }> }
    if (faults[0]!.hits === IN_FLIGHT) break
    await new Promise((resolve) => setImmediate(resolve))
  }
  child.kill('SIGTERM')
  // New requests are refused from the moment the signal is handled: 503 on a connection
  // that was already open, no connection at all on a new one.
  let late: number | string | undefined = 200
  while (late === 200) {
    late = await fetch(`${url}/_emulator/ready`).then((res) => res.status, (err: Error & { cause?: { code?: string } }) => err.cause?.code)
  }
  t.ok([503, 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(late!), `a new request is refused (${late})`)

  const statuses = await Promise.all(cancels.map(async (res) => (await res).status))
  t.same(statuses, Array(IN_FLIGHT).fill(202), 'every in-flight request finished')
  const [code] = child.exitCode === null ? await once(child, 'exit') : [child.exitCode]
  t.equal(code, 0)
  const saved = JSON.parse(await readFile(file, 'utf8'))
  t.same(saved.projects[0].clusters.find((c: { cluster_id: string }) => c.cluster_id === CLUSTER).synced_users, [], 'every cancel is in the state file')
})

t.test('SIGTERM under load: every request completes or is refused with 503, and every acknowledged change is saved', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'mrs-term-load-')), 'state.json')
  const { url, child } = await startServer(t, ['--state-file', file, '--auth', 'off'])
  const acknowledged: string[] = []
  const unexpected: Array<number | string> = []
  let next = 0
  let stopping = false
  const client = async () => {
    for (;;) {
      const id = `load${next++}`
      if (next === 200) {
        stopping = true
        child.kill('SIGTERM')
      }
      try {
        const res = await fetch(`${url}/_emulator/projects/p1/clusters/${id}`, {
          method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'running', synced_users: [], synced_groups: [] })
        })
        await res.arrayBuffer()
        if (res.status === 201) acknowledged.push(id)
        else if (res.status !== 503) unexpected.push(res.status)
        if (res.status === 503) return
      } catch (err) {
        // Refused or closed after the signal: the request was not taken.
        const code = (err as { cause?: { code?: string } }).cause?.code ?? String(err)
        if (!stopping) unexpected.push(code)
        return
      }
    }
  }
  await Promise.all(Array.from({ length: 20 }, client))
  const [code] = child.exitCode === null ? await once(child, 'exit') : [child.exitCode]
  t.equal(code, 0, 'exit 0')
  t.same(unexpected, [], 'nothing but answers, 503s and refusals')
  t.ok(acknowledged.length >= 150, `${acknowledged.length} acknowledged`)
  const saved = JSON.parse(await readFile(file, 'utf8'))
  const clusters = new Set(saved.projects.find((p: { project_id: string }) => p.project_id === 'p1').clusters.map((c: { cluster_id: string }) => c.cluster_id))
  t.same(acknowledged.filter((id) => !clusters.has(id)), [], 'every acknowledged change is in the state file')
})
