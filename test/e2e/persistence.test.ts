import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { tempDir } from '../helpers.js'
import { startServer } from './process.js'

interface State { projects: Array<{ project_id: string, clusters: Array<{ cluster_id: string }> }> }
const clustersOf = (state: State) => new Set(state.projects.find((p) => p.project_id === 'p1')!.clusters.map((c) => c.cluster_id))

t.test('SIGKILL mid-work loses no acknowledged change, and leaves a whole state file', async (t) => {
  const file = join(await tempDir(t, 'mrs-kill-'), 'state.json')
  const first = await startServer(t, ['--state-file', file, '--auth', 'off'], {}, { coverage: false })
  const acknowledged: string[] = []
  let next = 0
  let alive = true
  let killedAt: number | undefined
  // 20 clients create clusters as fast as they can; the process is killed as the 150th
  // answer arrives, with the other clients' requests in flight.
  const client = async () => {
    while (alive) {
      const id = `c${next++}`
      try {
        const res = await fetch(`${first.url}/_emulator/projects/p1/clusters/${id}`, {
          method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'running', synced_users: [id], synced_groups: [] })
        })
        if (res.status === 201) acknowledged.push(id)
        if (acknowledged.length === 150) {
          killedAt = acknowledged.length
          first.child.kill('SIGKILL')
          alive = false
        }
      } catch {
        alive = false // unanswered: the process is gone
      }
    }
  }
  await Promise.all(Array.from({ length: 20 }, client))
  if (first.child.signalCode === null) await once(first.child, 'exit')
  t.equal(killedAt, 150, `killed at the 150th acknowledgement; ${acknowledged.length} acknowledged in all, ${next} sent`)

  const saved = JSON.parse(await readFile(file, 'utf8')) as State
  const inFile = clustersOf(saved)
  t.same(acknowledged.filter((id) => !inFile.has(id)), [], 'every acknowledged cluster is in the whole file')

  const second = await startServer(t, ['--state-file', file, '--auth', 'off'], {}, { coverage: false })
  const restored = clustersOf(await (await fetch(`${second.url}/_emulator/state`)).json() as State)
  t.same(acknowledged.filter((id) => !restored.has(id)), [], 'and in the restarted emulator')
})
