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

/** Announces a result or an error in the page's status line. */
export function say (message, isError = false) {
  const status = document.getElementById('status')
  status.textContent = message
  status.classList.toggle('error', isError)
}

/** Runs an action of a button or form: its error, if any, is said, never thrown. */
export async function act (what, action) {
  try {
    await action()
    say(what)
  } catch (err) {
    say(`${what} failed: ${err.message}`, true)
  }
}
