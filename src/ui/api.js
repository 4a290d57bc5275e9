// The control plane, as the page calls it: same origin, JSON, and the admin token when the
// emulator has one. The token is asked once and kept for this tab (sessionStorage): never in a
// URL, a cookie or localStorage.

import bounds from './bounds.js'

const TOKEN_KEY = 'mrs-emulator-admin-token'
const BASE = new URL('./', document.baseURI).pathname // /_emulator/

/** An answer that was not a success: its status and the emulator's error body. */
export class ControlError extends Error {
  constructor (status, body) {
    super(body?.error_msg ?? `HTTP ${status}`)
    this.status = status
    this.code = body?.error_code
  }
}

let asking

/**
 * Shows the token dialog until a token is entered; one dialog for every call waiting on it. It
 * cannot be dismissed (nothing works without the token), and takes only what a header can carry.
 * `refused`: a token was sent and refused, which the dialog says (and keeps saying while it is open).
 */
function askToken (refused) {
  if (refused) document.getElementById('token-refused').hidden = false
  asking ??= new Promise((resolve) => {
    const dialog = document.getElementById('token-dialog')
    const form = document.getElementById('token-form')
    const input = document.getElementById('token-input')
    document.getElementById('token-refused').hidden = !refused
    const check = () => input.setCustomValidity(/^[\x21-\x7e]*$/.test(input.value) ? '' : 'An admin token is printable ASCII, without spaces.')
    // Closed without a token (Escape, twice in a row, gets past `cancel`): open again.
    const reopen = () => dialog.showModal()
    input.addEventListener('input', check)
    dialog.addEventListener('cancel', (event) => event.preventDefault())
    dialog.addEventListener('close', reopen)
    form.addEventListener('submit', function done () {
      sessionStorage.setItem(TOKEN_KEY, input.value)
      input.value = ''
      input.removeEventListener('input', check)
      dialog.removeEventListener('close', reopen)
      form.removeEventListener('submit', done)
      asking = undefined
      resolve()
    })
    dialog.showModal()
    input.focus()
  })
  return asking
}

/** Calls a control-plane route (`path` relative to /_emulator/); resolves with the JSON answer, or null. */
export async function api (method, path, body, { signal } = {}) {
  for (;;) {
    const headers = {}
    const token = sessionStorage.getItem(TOKEN_KEY)
    if (token !== null) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal })
    const text = await res.text()
    const json = text === '' ? null : JSON.parse(text)
    if (res.status === 401 && json?.error_code === bounds.tokenRequiredCode) {
      // Several calls are in flight at once. An answer to a call sent before the token changed
      // (one entered since, or one already found wrong) says nothing about the token there is
      // now: send the call again with it, rather than drop it or ask again.
      if (sessionStorage.getItem(TOKEN_KEY) !== token) continue
      sessionStorage.removeItem(TOKEN_KEY)
      await askToken(token !== null)
      continue
    }
    if (!res.ok) throw new ControlError(res.status, json)
    return json
  }
}
