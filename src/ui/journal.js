// The request journal, live: a long poll of GET /_emulator/requests?since=<last id>&wait_ms=…
// brings each new request as soon as it has been answered. Newest first; an entry opens to show
// what was sent and answered (built only when opened: the list stays light with 1,000 entries).
import { api } from './api.js'
import { act, h, say } from './dom.js'

const MAX_SHOWN = 1000
const CHUNK = 100
const WAIT_MS = 25_000

const pretty = (value) => typeof value === 'string' ? value : JSON.stringify(value, null, 2)
const headerList = (headers) => h('dl', { class: 'headers' }, Object.entries(headers).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]))

function details (entry) {
  const facts = [
    ['Request id', entry.request_id], ['Time', entry.time], ['Duration', `${entry.duration_ms} ms`],
    ['Operation', entry.operation ?? 'none (unknown path)'], ['Project', entry.project_id ?? '—'], ['Cluster', entry.cluster_id ?? '—'],
    ['Status', entry.status === 0 ? '0 (connection dropped)' : entry.status], ['Error code', entry.error_code ?? '—'], ['Fault rule', entry.fault_id ?? '—']
  ]
  return [
    h('dl', { class: 'facts' }, facts.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, String(value))])),
    h('h4', {}, 'Request headers'), headerList(entry.headers),
    h('h4', {}, 'Request body'), h('pre', {}, entry.body === null ? '(none)' : pretty(entry.body)),
    h('h4', {}, 'Response headers'), entry.response === null ? h('p', {}, '(nothing was sent)') : headerList(entry.response.headers),
    h('h4', {}, 'Response body'), h('pre', {}, entry.response === null || entry.response.body === null ? '(none)' : pretty(entry.response.body))
  ]
}

function item (entry) {
  const status = entry.status === 0 ? 'dropped' : String(entry.status)
  const kind = entry.status === 0 || entry.status >= 500 ? 'bad' : entry.status >= 400 ? 'warn' : 'good'
  const box = h('details', {},
    h('summary', {},
      h('span', { class: `status ${kind}` }, status), ' ',
      h('strong', {}, entry.method), ' ', h('code', {}, entry.path), ' ',
      h('span', { class: 'muted' }, `${entry.operation ?? ''} ${new Date(entry.time).toLocaleTimeString()} · ${entry.duration_ms} ms`),
      entry.fault_id === null ? '' : h('span', { class: 'fault' }, ` fault ${entry.fault_id}`)))
  box.addEventListener('toggle', () => { if (box.open && box.childElementCount === 1) box.append(...details(entry)) })
  return h('li', { 'data-request-id': entry.request_id }, box)
}

/** Starts following the journal; `onNew` is told when requests arrive (the world may have changed). */
export function followJournal (onNew) {
  const list = document.getElementById('journal')
  const count = document.getElementById('journal-count')
  const seen = new Set()
  let last
  let generation = 0

  const trim = () => {
    while (list.childElementCount > MAX_SHOWN) {
      seen.delete(list.lastElementChild.dataset.requestId)
      list.lastElementChild.remove()
    }
    count.textContent = `(${list.childElementCount})`
  }
  const fragment = (entries) => {
    const items = document.createDocumentFragment()
    for (const entry of entries) items.append(item(entry))
    return items
  }
  // The newest entries at once; a long backlog (a full journal on load) after them, a chunk per
  // task, so that the page answers the keyboard and the mouse meanwhile.
  const appendLater = (entries, mine) => {
    if (entries.length === 0 || mine !== generation) return
    setTimeout(() => {
      if (mine !== generation) return
      list.append(fragment(entries.slice(0, CHUNK)))
      trim()
      appendLater(entries.slice(CHUNK), mine)
    }, 0)
  }

  const show = (entries) => {
    const fresh = entries.filter((entry) => !seen.has(entry.request_id))
    if (fresh.length === 0) return
    for (const entry of fresh) seen.add(entry.request_id)
    const newestFirst = fresh.reverse()
    list.prepend(fragment(newestFirst.slice(0, CHUNK)))
    appendLater(newestFirst.slice(CHUNK), generation)
    trim()
    last = list.firstElementChild.dataset.requestId
    onNew()
  }

  const forget = () => {
    list.replaceChildren()
    seen.clear()
    last = undefined
    count.textContent = '(0)'
  }

  async function poll (mine) {
    while (mine === generation) {
      try {
        const query = last === undefined ? `requests?wait_ms=${WAIT_MS}` : `requests?since=${last}&wait_ms=${WAIT_MS}`
        const answer = await api('GET', query)
        if (mine !== generation) return
        // An id no longer kept (cleared elsewhere, evicted) answers every kept entry: those
        // already shown are skipped.
        show(answer.requests)
      } catch (err) {
        say(`Lost the journal: ${err.message}; trying again.`, true)
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }
  }

  /** Loads the journal afresh (after a reset or a clear) and follows it. */
  async function reload () {
    generation++
    forget()
    const answer = await api('GET', 'requests')
    show(answer.requests)
    void poll(generation)
  }

  document.getElementById('journal-clear').addEventListener('click', () => act('Cleared the journal', async () => {
    await api('DELETE', 'requests')
    await reload()
  }))
  return { reload }
}
