// The dashboard: the world, the live journal, fault rules, the clock. It uses only the control
// plane's documented routes (see /_emulator/openapi.json).
import { reachable, unreachable } from './dom.js'
import { api } from './api.js'
import { clockControls, showClock } from './clock.js'
import { faultForm, renderFaults } from './faults.js'
import { followJournal } from './journal.js'
import { renderWorld } from './world.js'

/** How often the page looks for changes made elsewhere (a task that ended, a reset by a test). */
const SYNC_MS = 5000

async function refresh () {
  const [state, faults, clock] = await Promise.all([api('GET', 'state'), api('GET', 'faults'), api('GET', 'clock')])
  renderWorld(state, { refresh, afterReset })
  renderFaults(faults.faults, refresh)
  showClock(clock)
  if (document.body.dataset.loaded === undefined) {
    document.body.dataset.loaded = 'true'
    performance.mark('world-shown')
  }
}

/** After a reset: the world, and the journal it cleared. */
async function afterReset () {
  await refresh()
  journal.reload()
}

// New requests may have changed the world: refresh once they stop arriving for a moment.
let pending
const soon = () => {
  clearTimeout(pending)
  pending = setTimeout(() => { refresh().catch(unreachable) }, 150)
}

const journal = followJournal(soon)
faultForm(refresh)
clockControls(refresh, afterReset)

async function sync () {
  try {
    await refresh()
    await journal.check()
    reachable()
  } catch (err) {
    unreachable(err)
  }
}
refresh().catch(unreachable)
journal.reload()
setInterval(sync, SYNC_MS)
