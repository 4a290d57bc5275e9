// The emulator's clock (advance it) and the global reset.
import { api } from './api.js'
import { act } from './dom.js'

export function showClock (clock) {
  const offset = clock.offset_ms === 0 ? 'real time' : `${Math.round(clock.offset_ms / 60_000).toLocaleString()} minutes ahead`
  document.getElementById('clock').textContent = `Clock: ${new Date(clock.now).toLocaleString()} (${offset})`
}

/** Wires the clock form and the reset button; `afterReset` reloads the page's views. */
export function clockControls (refresh, afterReset) {
  const form = document.getElementById('advance-form')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const amount = Number(document.getElementById('advance-amount').value)
    const unit = Number(document.getElementById('advance-unit').value)
    void act('Advanced the clock', 'advance the clock', async () => {
      await api('POST', 'clock', { advance_ms: amount * unit })
      await refresh()
    })
  })
  document.getElementById('reset-all').addEventListener('click', () => {
    // The world, the rules, the journal and the clock go back: asked first.
    if (!window.confirm('Reset everything to the fixtures? The world, the fault rules, the journal and the clock go back.')) return
    void act('Reset everything to the fixtures', 'reset everything', async () => {
      await api('POST', 'reset')
      await afterReset()
    })
  })
}
