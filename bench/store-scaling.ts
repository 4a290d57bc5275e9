import { performance } from 'node:perf_hooks'
import type { Fixture } from '../src/core/fixture-schema.js'
import { WorldStore } from '../src/core/world-store.js'

/**
 * Cancel and show on one cluster, in a world of 1 cluster and of 10,000: the cost must depend
 * on the names in the request or the cluster, not on the size of the world.
 */
function world (clusters: number): Fixture {
  return {
    projects: [{
      project_id: 'p1',
      iam: { users: [{ name: 'u1', groups: ['g1'] }], groups: ['g1'] },
      clusters: Array.from({ length: clusters }, (_, i) => ({ cluster_id: `c${i}`, state: 'running' as const, synced_users: ['u1', 'u2', 'u3'], synced_groups: ['g1'] }))
    }]
  }
}

function opsPerSecond (store: WorldStore, op: (store: WorldStore) => void, iterations: number): number {
  for (let i = 0; i < iterations / 10; i++) op(store)
  const start = performance.now()
  for (let i = 0; i < iterations; i++) op(store)
  return iterations / ((performance.now() - start) / 1000)
}

export function storeScaling (smoke: boolean): string[] {
  const iterations = smoke ? 20_000 : 500_000
  const ops: Array<[string, (s: WorldStore) => void]> = [
    ['cancel (2 names)', (s) => s.cancel('p1', 'c0', { user_names: ['u1', 'u9'] })],
    ['sync (1 name)', (s) => s.sync('p1', 'c0', { user_names: ['u1'] })],
    ['show', (s) => s.showJson('p1', 'c0')]
  ]
  const lines = ['| operation | 1 cluster, ops/s | 10,000 clusters, ops/s | ratio |', '|---|---|---|---|']
  for (const [name, op] of ops) {
    // Both worlds in turn, best of three each: at tens of nanoseconds per call, a single run
    // moves with GC and JIT timing more than with the size of the world.
    const stores = [new WorldStore(world(1)), new WorldStore(world(10_000))]
    const best = [0, 0]
    for (let round = 0; round < 3; round++) {
      for (const i of [0, 1]) best[i] = Math.max(best[i]!, opsPerSecond(stores[i]!, op, iterations))
    }
    const [small, large] = best as [number, number]
    lines.push(`| ${name} | ${Math.round(small).toLocaleString('en-US')} | ${Math.round(large).toLocaleString('en-US')} | ${(large / small).toFixed(2)} |`)
  }
  return lines
}
