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
