// Fault rules: the list (with hits and what is left) and a labelled form to add one.
import { api } from './api.js'
import bounds from './bounds.js'
import { act, h, keepState } from './dom.js'

function describe (rule) {
  const match = Object.entries(rule.match ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'every request'
  const action = rule.action
  const does = 'drop' in action
    ? 'drops the connection'
    : 'status' in action
      ? `answers ${action.status} ${action.error_code}${action.delay_ms === undefined ? '' : ` after ${action.delay_ms} ms`}`
      : `delays ${action.delay_ms} ms`
  const left = rule.remaining === null ? 'until deleted' : `${rule.remaining} left`
  return `${match}: ${does} (${rule.hits} seen, ${rule.acted} acted, ${left})`
}

/** Shows the rules; `refresh` reloads them. */
export function renderFaults (faults, refresh) {
  const root = document.getElementById('faults')
  keepState(root, () => root.replaceChildren(...(faults.length === 0
    ? [h('li', { class: 'muted' }, 'No fault rules: every request goes through.')]
    : faults.map((rule) => h('li', { 'data-fault': rule.id },
      h('code', {}, rule.id), ' ', describe(rule), ' ',
      h('button', {
        type: 'button',
        'aria-label': `Delete fault rule ${rule.id}`,
        onclick: () => act(`Deleted fault rule ${rule.id}`, `delete fault rule ${rule.id}`, async () => {
          await api('DELETE', `faults/${encodeURIComponent(rule.id)}`)
          await refresh()
        })
      }, 'Delete'))))))
}

/** Wires the form that adds a rule. */
export function faultForm (refresh) {
  const form = document.getElementById('fault-form')
  const select = document.getElementById('fault-operation')
  select.append(...bounds.operations.map((name) => h('option', { value: name }, name)))
  // The limits the control plane checks, as the emulator serves them (bounds.js).
  const limit = (id, attributes) => { for (const [name, value] of Object.entries(attributes)) document.getElementById(id).setAttribute(name, value) }
  limit('fault-id', { maxlength: bounds.faultId.maxLength, pattern: bounds.faultId.pattern })
  // The format in words, not the browser's "Please match the requested format."
  const id = document.getElementById('fault-id')
  const idFormat = new RegExp(`^(?:${bounds.faultId.pattern})$`)
  id.addEventListener('input', () => id.setCustomValidity(id.value === '' || idFormat.test(id.value) ? '' : bounds.faultId.rule))
  limit('fault-status', { min: bounds.status.min, max: bounds.status.max })
  limit('fault-code', { maxlength: bounds.errorCodeMaxLength })
  limit('fault-message', { maxlength: bounds.errorMsgMaxLength })
  limit('fault-delay', { max: bounds.delayMax })
  limit('fault-code', { value: bounds.defaultError.code })
  limit('fault-message', { value: bounds.defaultError.message })
  const kind = document.getElementById('fault-kind')
  const errorFields = document.getElementById('fault-error-fields')
  const delayField = document.getElementById('fault-delay-field')
  const delay = document.getElementById('fault-delay')
  const errorInputs = errorFields.querySelectorAll('input')
  // Hidden fields are disabled too: neither sent nor checked.
  const fit = () => {
    errorFields.hidden = kind.value !== 'error'
    for (const input of errorInputs) {
      input.disabled = kind.value !== 'error'
      input.required = kind.value === 'error'
    }
    delayField.hidden = kind.value === 'drop'
    delay.disabled = kind.value === 'drop'
    delay.required = kind.value === 'delay'
  }
  kind.addEventListener('change', fit)
  fit()
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(form)
    const text = (name) => String(data.get(name) ?? '').trim()
    const number = (name) => text(name) === '' ? undefined : Number(text(name))
    const match = {}
    for (const name of ['operation', 'project_id', 'cluster_id']) if (text(name) !== '') match[name] = text(name)
    let action
    if (kind.value === 'drop') action = { drop: true }
    else if (kind.value === 'delay') action = { delay_ms: number('delay_ms') }
    else action = { status: number('status'), error_code: text('error_code'), error_msg: text('error_msg'), ...(number('delay_ms') === undefined ? {} : { delay_ms: number('delay_ms') }) }
    const rule = { match, action }
    if (text('id') !== '') rule.id = text('id')
    if (number('times') !== undefined) rule.times = number('times')
    // Said under the form's button, where the eye is.
    void act('Added the fault rule', 'add the fault rule', async () => {
      await api('POST', 'faults', rule)
      form.querySelector('#fault-id').value = ''
      await refresh()
    }, 'fault-form-status')
  })
}
