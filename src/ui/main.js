// The dashboard: the world, the live journal, fault rules, the clock. It uses only the control
// plane's documented routes (see /_emulator/openapi.json).
import { api } from './api.js'
import { say } from './dom.js'
import { clockControls, showClock } from './clock.js'
import { faultForm, renderFaults } from './faults.js'
import { followJournal } from './journal.js'
import { renderWorld } from './world.js'

async function refresh () {
  const [state, faults, clock] = await Promise.all([api('GET', 'state'), api('GET', 'faults'), api('GET', 'clock')])
  renderWorld(state, refresh)
  renderFaults(faults.faults, refresh)
  showClock(clock)
  if (document.body.dataset.loaded === undefined) {
    document.body.dataset.loaded = 'true'
    performance.mark('world-shown')
  }
}

// New requests may have changed the world: refresh once they stop arriving for a moment.
let pending
const soon = () => {
  clearTimeout(pending)
  pending = setTimeout(() => { refresh().catch((err) => say(err.message, true)) }, 150)
}

const journal = followJournal(soon)
faultForm(refresh)
clockControls(refresh, async () => {
  await refresh()
  await journal.reload()
})
refresh().then(() => journal.reload()).catch((err) => say(`Could not load the emulator's state: ${err.message}`, true))
