// A tiny element builder: h('td', { class: 'x' }, 'text', child). Text is always text (never HTML).

export function h (tag, attributes = {}, ...children) {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue
    element.append(child instanceof Node ? child : String(child))
  }
  return element
}

/** Announces a result or an error in the page's status line (a live region: said once, not repeated). */
export function say (message, isError = false, where = 'status') {
  const status = document.getElementById(where)
  if (status.textContent !== message) status.textContent = message
  status.classList.toggle('error', isError)
}

/** One message while the emulator cannot be reached, whichever call found out. */
export const unreachable = (err) => say(`Cannot reach the emulator (${err.message}); trying again.`, true)

/** Replaces an outage message once the emulator answers again. */
export function reachable () {
  if (document.getElementById('status').classList.contains('error')) say('The emulator answers again.')
}

/**
 * Runs an action of a button or form: what it did (`done`, or the action's own word), or why it
 * could not (`Could not ${todo}: …`), is said, never thrown; in the status line, or where the
 * form that asked shows it (`where`, an element's id).
 */
export async function act (done, todo, action, where = 'status') {
  try {
    say((await action()) ?? done, false, where)
  } catch (err) {
    say(`Could not ${todo}: ${err.message}`, true, where)
  }
}

/** What names a control across a re-render: its data-key, accessible name or text. */
const keyOf = (element) => element.dataset.key ?? element.getAttribute('aria-label') ?? element.textContent

/**
 * Re-renders `root` keeping what the user had: which <details> were open, and the focus (on the
 * same control if it is still there, else on the section, so that the keyboard is not sent back
 * to the top of the page).
 */
export function keepState (root, render) {
  const open = new Set([...root.querySelectorAll('details[open]')].map(keyOf))
  const focused = root.contains(document.activeElement) ? keyOf(document.activeElement) : undefined
  render()
  for (const details of root.querySelectorAll('details')) if (open.has(keyOf(details))) details.open = true
  if (focused === undefined) return
  const again = [...root.querySelectorAll('button, summary, [data-key], [tabindex]')].find((element) => keyOf(element) === focused)
  ;(again ?? root).focus()
}
