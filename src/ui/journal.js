// The request journal, live: a long poll of GET /_emulator/requests?since=<last id>&wait_ms=…
// brings each new request as soon as it has been answered. Newest first; an entry opens to show
// what was sent and answered (built only when opened: the list stays light with 1,000 entries).
import { api } from './api.js'
import bounds from './bounds.js'
import { act, h, reachable, unreachable } from './dom.js'

const MAX_SHOWN = 1000
const CHUNK = 100

const pretty = (value) => typeof value === 'string' ? value : JSON.stringify(value, null, 2)
const headerList = (headers) => h('dl', { class: 'headers' }, Object.entries(headers).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]))
// A scrolling box the keyboard can reach.
const block = (text) => h('pre', { tabindex: 0 }, text)

function details (entry) {
  const facts = [
    ['Request id', entry.request_id], ['Time', entry.time], ['Duration', `${entry.duration_ms} ms`],
    ['Operation', entry.operation ?? 'none (unknown path)'], ['Project', entry.project_id ?? '—'], ['Cluster', entry.cluster_id ?? '—'],
    ['Status', entry.status === 0 ? '0 (connection dropped)' : entry.status], ['Error code', entry.error_code ?? '—'], ['Fault rule', entry.fault_id ?? '—']
  ]
  return [
    h('dl', { class: 'facts' }, facts.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, String(value))])),
    h('h3', {}, 'Request headers'), headerList(entry.headers),
    h('h3', {}, 'Request body'), block(entry.body === null ? '(none)' : pretty(entry.body)),
    h('h3', {}, 'Response headers'), entry.response === null ? h('p', {}, '(nothing was sent)') : headerList(entry.response.headers),
    h('h3', {}, 'Response body'), block(entry.response === null || entry.response.body === null ? '(none)' : pretty(entry.response.body))
  ]
}

function item (entry) {
  const status = entry.status === 0 ? 'dropped' : String(entry.status)
  const kind = entry.status === 0 || entry.status >= 500 ? 'bad' : entry.status >= 400 ? 'warn' : 'good'
  const box = h('details', {},
    // What a reader scans first: the answer, its code, the operation, when and how long; then
    // the path (long: it takes a line of its own, cut to the width).
    h('summary', {},
      h('span', { class: `status ${kind}` }, status), ' ',
      entry.error_code === null ? '' : h('span', { class: 'error-code' }, entry.error_code), entry.error_code === null ? '' : ' ',
      h('strong', {}, entry.operation ?? entry.method), ' ',
      h('span', { class: 'muted' }, `${new Date(entry.time).toLocaleTimeString()} · ${entry.duration_ms} ms`),
      entry.fault_id === null ? '' : h('span', { class: 'fault' }, ` fault ${entry.fault_id}`),
      h('code', { class: 'path', title: `${entry.method} ${entry.path}` }, `${entry.method} ${entry.path}`)))
  box.addEventListener('toggle', () => { if (box.open && box.childElementCount === 1) box.append(...details(entry)) })
  return h('li', { 'data-request-id': entry.request_id }, box)
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Follows the journal; `onNew` is told when requests arrive (the world may have changed).
 * `reload()` shows it afresh; `check()` reloads it when it changed behind the page's back
 * (cleared, reset, or moved past what the page shows).
 */
export function followJournal (onNew) {
  const list = document.getElementById('journal')
  const count = document.getElementById('journal-count')
  const seen = new Set()
  let last
  let generation = 0
  let controller

  const trim = () => {
    while (list.childElementCount > MAX_SHOWN) {
      seen.delete(list.lastElementChild.dataset.requestId)
      list.lastElementChild.remove()
    }
    count.textContent = `(${list.childElementCount} shown)`
  }
  const fragment = (entries) => {
    const items = document.createDocumentFragment()
    for (const entry of entries) items.append(item(entry))
    return items
  }
  // The newest entries at once; a long backlog (a full journal on load) after them, a chunk per
  // task, so that the page answers the keyboard and the mouse meanwhile.
  const appendLater = (entries, mine) => {
    if (entries.length === 0) return
    setTimeout(() => {
      if (mine !== generation) return
      list.append(fragment(entries.slice(0, CHUNK)))
      trim()
      appendLater(entries.slice(CHUNK), mine)
    }, 0)
  }
  const show = (entries, mine) => {
    const fresh = entries.filter((entry) => !seen.has(entry.request_id))
    if (fresh.length === 0) return
    for (const entry of fresh) seen.add(entry.request_id)
    const newestFirst = fresh.reverse()
    list.prepend(fragment(newestFirst.slice(0, CHUNK)))
    appendLater(newestFirst.slice(CHUNK), mine)
    trim()
    last = list.firstElementChild.dataset.requestId
    onNew()
  }
  const forget = () => {
    list.replaceChildren()
    seen.clear()
    last = undefined
    count.textContent = '(0 shown)'
  }

  async function poll (mine, signal) {
    while (mine === generation) {
      try {
        const answer = await api('GET', last === undefined ? `requests?wait_ms=${bounds.journalWaitMs}` : `requests?since=${last}&wait_ms=${bounds.journalWaitMs}`, undefined, { signal })
        if (mine !== generation) return
        reachable()
        // A `since` the emulator no longer keeps answers every kept entry, at once: the journal
        // changed behind the page's back. Show it afresh.
        if (answer.requests.some((entry) => seen.has(entry.request_id))) forget()
        show(answer.requests, mine)
        // Nothing came (the journal is off, or the wait ended): no hurry.
        if (answer.requests.length === 0) await pause(1000)
      } catch (err) {
        if (mine !== generation) return
        unreachable(err)
        await pause(1000)
      }
    }
  }

  /** Shows the journal afresh and follows it; an earlier follower stops. */
  function reload () {
    generation++
    controller?.abort()
    controller = new AbortController()
    forget()
    void poll(generation, controller.signal)
  }

  /**
   * Reloads when the emulator keeps fewer requests than the page shows: cleared, reset or
   * restarted behind the page's back. (Not on a newest entry the poll has not brought yet: while a
   * test suite runs, that is most of the time, and a reload would close what the user opened.)
   */
  async function check () {
    const { count } = await api('GET', 'requests?limit=1')
    if (count >= list.childElementCount) return
    // Fewer kept than shown: evicted at the old end (a journal smaller than the page's list), or
    // removed anywhere (cleared, reset, for one project or all). Only the first keeps the page.
    const kept = count === 0 ? [] : (await api('GET', `requests?limit=${count}`)).requests.map((entry) => entry.request_id).reverse()
    const shown = [...list.children].slice(0, kept.length).map((item) => item.dataset.requestId)
    if (kept.length === 0 || kept.some((id, i) => id !== shown[i])) {
      reload()
      return
    }
    while (list.childElementCount > kept.length) {
      seen.delete(list.lastElementChild.dataset.requestId)
      list.lastElementChild.remove()
    }
    trim()
  }

  document.getElementById('journal-clear').addEventListener('click', () => act('Cleared the journal', 'clear the journal', async () => {
    await api('DELETE', 'requests')
    reload()
  }))
  return { reload, check }
}
