import { setTimeout } from 'node:timers/promises'
import t from 'tap'
import { closeWhenOrphaned } from '../src/orphan.js'

t.test('started by npm, the emulator closes once the parent it started with has gone, even before it listened', async (t) => {
  let closed = 0
  // Gone already when the watch begins (npx killed while the world was loading): seen at once.
  closeWhenOrphaned({ env: { npm_execpath: 'npm' }, parent: 4242, ppid: () => 1, close: () => { closed++ }, everyMs: 1 })
  while (closed === 0) await setTimeout(2)
  await setTimeout(10)
  t.equal(closed, 1, 'closed once')

  let parent = 4242
  let later = 0
  closeWhenOrphaned({ env: { npm_execpath: 'npm' }, parent: 4242, ppid: () => parent, close: () => { later++ }, everyMs: 1 })
  await setTimeout(10)
  t.equal(later, 0, 'not while its parent lives')
  parent = 1
  while (later === 0) await setTimeout(2)
  t.pass('and as soon as it has gone')

  let unwatched = 0
  closeWhenOrphaned({ env: {}, parent: 4242, ppid: () => 1, close: () => { unwatched++ }, everyMs: 1 })
  await setTimeout(10)
  t.equal(unwatched, 0, 'started otherwise (node dist/src/server.js, Docker): no watch')
})
