import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import t, { type Test } from 'tap'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CLUSTER, OTHER_PROJECT, PROJECT } from '../helpers.js'
import { startServer } from './process.js'

/*
 * The dashboard in a real browser: Debian's Chromium, driven by playwright-core (which downloads
 * no browser), against a real emulator process, offline (the page loads nothing from elsewhere).
 * `.ci/run` installs Chromium when it is missing; elsewhere set CHROMIUM_PATH, or these tests are
 * skipped and say why.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// A browser and three emulator processes: more than tap's default 30 s on a busy machine.
t.setTimeout(180_000)
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

if (!existsSync(CHROMIUM)) {
  const why = `no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`
  // CI installs it: there a missing browser is a failure, not a skip.
  if (process.env.CI_REQUIRE_CHROMIUM === '1') t.fail(why)
  else t.plan(0, why)
} else {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  t.teardown(() => browser.close())

  /**
   * A page of its own; any script error or failed load of the page's own fails the test.
   * `prepare` runs before the page loads (routes it adds come before the offline one).
   */
  const open = async (t: Test, url: string, viewport = { width: 1280, height: 900 }, prepare?: (page: Page) => Promise<void>) => {
    // bypassCSP: only so that the test can inject axe-core; the page itself runs under its CSP.
    const context = await browser.newContext({ viewport, bypassCSP: true })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (err) => problems.push(String(err)))
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
    // Offline: anything but the emulator itself is refused.
    const origin = new URL(url).origin
    await page.route('**/*', (route) => route.request().url().startsWith(origin) ? route.continue() : route.abort())
    await prepare?.(page)
    await page.goto(`${url}/_emulator/ui`)
    return { page, problems }
  }
  const loaded = (page: Page) => page.waitForSelector('body[data-loaded]')
  const mrs = (url: string, path: string, init: RequestInit = {}) =>
    fetch(`${url}/v2/${PROJECT}/clusters/${CLUSTER}/${path}`, { ...init, headers: { 'x-auth-token': 'any', 'content-type': 'application/json', ...init.headers } })

  t.test('the world, the live journal, a fault from the form, complete, advance and reset', async (t) => {
    const { url } = await startServer(t, ['--sync-duration-ms', '3600000'], {}, { coverage: false })
    const { page, problems } = await open(t, url)
    await loaded(page)

    // The world.
    const north = page.locator(`article[data-project="${PROJECT}"]`)
    await north.getByRole('heading', { name: /cn-north-4/ }).waitFor()
    t.equal(await north.locator(`tr[data-cluster="${CLUSTER}"] .state`).textContent(), 'running')
    t.equal(await page.locator('article.project').count(), 2)
    await north.getByText('IAM directory: 4 users, 4 groups').click()
    await north.getByText('etl_service', { exact: true }).waitFor()

    // A request sent from outside appears without a reload; a sync task shows, and completes.
    t.equal((await mrs(url, 'iam-sync-user', { method: 'POST', body: JSON.stringify({ user_names: ['user1'] }) })).status, 202)
    const entry = page.locator('#journal li').filter({ hasText: 'UpdateSyncIamUser' })
    await entry.waitFor()
    await page.getByText('Account mrs-emulator: 2 projects, 1 running sync task.').waitFor()
    await north.getByRole('button', { name: `Complete now: the sync task on ${CLUSTER}` }).click()
    await north.locator(`tr[data-cluster="${CLUSTER}"] .users`).getByText('user1').waitFor()
    t.same(((await (await mrs(url, 'iam-sync-user')).json()) as { user_names: string[] }).user_names, ['user1'], 'completed in the emulator')

    // A request opens to show what was sent and answered.
    await entry.locator('summary').click()
    await entry.getByText('"synchronizing"').waitFor()
    await entry.getByText('x-auth-token').waitFor()
    t.match(await entry.locator('dl.facts').textContent(), /Status202/)

    // A fault added in the form breaks the next call; an id of the wrong form is told in words.
    await page.getByLabel('Id (optional)', { exact: true }).fill('no spaces')
    t.equal(await page.getByLabel('Id (optional)', { exact: true }).evaluate((input) => (input as unknown as { validationMessage: string }).validationMessage), 'A rule id is 1 to 64 letters, digits, underscores or hyphens.')
    await page.getByLabel('Id (optional)', { exact: true }).fill('from-the-form')
    await page.getByLabel('Operation').selectOption('ListSyncStatus')
    await page.getByLabel('Status').fill('503')
    await page.getByLabel('Error code').fill('APIGW.0503')
    await page.getByLabel('Error message').fill('Service unavailable.')
    await page.getByRole('button', { name: 'Add the rule' }).click()
    await page.locator('#faults li[data-fault="from-the-form"]').waitFor()
    await page.locator('#fault-form').getByText('Added the fault rule').waitFor()
    // A refusal is said under the form's button, where the eye is.
    await page.getByLabel('Id (optional)', { exact: true }).fill('from-the-form')
    await page.getByRole('button', { name: 'Add the rule' }).click()
    await page.locator('#fault-form').getByText(/^Could not add the fault rule: A fault rule with id from-the-form exists/).waitFor()
    const broken = await mrs(url, 'iam-sync')
    t.equal(broken.status, 503)
    t.equal((await mrs(url, 'iam-sync')).status, 200, 'once')
    const faulted = page.locator('#journal li').filter({ hasText: 'fault from-the-form' })
    await faulted.waitFor()
    t.match(await faulted.locator('summary').innerText(), /^503 APIGW\.0503 ListSyncStatus \d/, 'a row leads with the answer, its code and the operation; the path comes after')
    await page.locator('#faults li[data-fault="from-the-form"]').getByText('0 left').waitFor()
    await page.getByRole('button', { name: 'Delete fault rule from-the-form' }).click()
    await page.getByText('No fault rules').waitFor()

    // The clock.
    await page.getByLabel('Advance the clock by').fill('2')
    await page.getByRole('button', { name: 'Advance' }).click()
    await page.getByText('120 minutes ahead').waitFor()
    t.equal(((await (await fetch(`${url}/_emulator/clock`)).json()) as { offset_ms: number }).offset_ms, 7_200_000)

    // Reset: one project, then everything.
    await north.getByRole('button', { name: 'Reset this project: cn-north-4' }).click()
    await north.locator(`tr[data-cluster="${CLUSTER}"] .users`).getByText('none').waitFor()
    // Everything goes back only once confirmed.
    let asked = ''
    page.once('dialog', (dialog) => {
      asked = dialog.message()
      void dialog.dismiss()
    })
    await page.getByRole('button', { name: 'Reset everything' }).click()
    t.match(asked, /^Reset everything to the fixtures\?/, 'asked first')
    t.equal(((await (await fetch(`${url}/_emulator/clock`)).json()) as { offset_ms: number }).offset_ms, 7_200_000, 'not reset when not confirmed')
    page.once('dialog', (dialog) => { void dialog.accept() })
    await page.getByRole('button', { name: 'Reset everything' }).click()
    await page.getByText('(real time)').waitFor()
    await page.waitForFunction('document.querySelectorAll("#journal li").length === 0')
    t.equal(((await (await fetch(`${url}/_emulator/requests`)).json()) as { count: number }).count, 0)
    t.same(problems.filter((p) => !p.includes('status of 409')), [], 'no script errors, no failed loads but the refused duplicate rule')
  })

  t.test('from the keyboard, at a phone\'s width, with no serious accessibility violations', async (t) => {
    const { url } = await startServer(t, [], {}, { coverage: false })
    await mrs(url, 'iam-sync')
    const { page, problems } = await open(t, url, { width: 390, height: 844 })
    await loaded(page)
    await page.locator('#journal li').first().waitFor()
    t.same(await page.evaluate('[document.documentElement.scrollWidth, [...document.querySelectorAll("body *")].filter((e) => !e.closest(".scroll") && e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map((e) => e.tagName + "#" + e.id + "." + e.className)]'), [390, []], 'nothing wider than the screen (wide tables scroll in their own box)')

    // Tab to the first journal entry and open it with Enter.
    const summary = page.locator('#journal li summary').first()
    for (let i = 0; i < 60 && !(await summary.evaluate((el) => el.matches(':focus'))); i++) await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.locator('#journal li details[open]').first().waitFor()

    await page.addScriptTag({ path: AXE })
    const violations = await page.evaluate('axe.run().then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.html + " " + n.failureSummary) })))') as Array<{ id: string, impact: string }>
    t.same(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], 'axe-core: no serious or critical violations')
    t.same(problems, [], 'no script errors, no failed loads')
  })

  t.test('a full journal: the newest 1,000 shown, once each, and the next one on top', async (t) => {
    const { url } = await startServer(t, ['--journal-size', '1000'], {}, { coverage: false })
    for (let i = 0; i < 21; i++) await Promise.all(Array.from({ length: 50 }, () => mrs(url, 'iam-sync')))
    const { page, problems } = await open(t, url)
    await loaded(page)
    await page.locator('#journal li').nth(999).waitFor({ state: 'attached' })
    t.equal(await page.locator('#journal-count').textContent(), '(1000 shown)')
    await mrs(url, 'iam-sync/is-synchronous')
    await page.locator('#journal li').first().filter({ hasText: 'ListSyncRequirements' }).waitFor()
    t.equal(await page.locator('#journal li').count(), 1000, 'still 1,000: the oldest went')
    const ids = await page.locator('#journal li').evaluateAll((items) => items.map((item) => item.getAttribute('data-request-id')))
    t.equal(new Set(ids).size, 1000, 'no entry twice')
    t.same(problems, [], 'no script errors, no failed loads')
  })

  t.test('changes made elsewhere show within the page\'s sync (5 s, on the page\'s fake clock); an idle page does not spin', async (t) => {
    const { url } = await startServer(t, [], {}, { coverage: false })
    const context = await browser.newContext()
    t.teardown(() => context.close())
    const page = await context.newPage()
    await page.clock.install()
    await page.goto(`${url}/_emulator/ui`)
    await loaded(page)
    for (let i = 0; i < 3; i++) await mrs(url, 'iam-sync')
    await page.locator('#journal li').nth(2).waitFor()
    await fetch(`${url}/_emulator/requests`, { method: 'DELETE' })
    await fetch(`${url}/_emulator/projects/${PROJECT}/clusters/made-elsewhere`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'frozen', synced_users: [], synced_groups: [] }) })
    await page.clock.runFor(5100)
    await page.locator('tr[data-cluster="made-elsewhere"]').waitFor()
    await page.locator('#journal li').first().waitFor({ state: 'detached' })
    t.pass('a cleared journal and a new cluster are shown')

    // One project's entries removed from the middle of the list: the page shows what is kept.
    for (let i = 0; i < 4; i++) {
      const project = i % 2 === 0 ? PROJECT : OTHER_PROJECT
      await fetch(`${url}/v2/${project}/clusters/${CLUSTER}/iam-sync`, { headers: { 'x-auth-token': 'any' } })
      await page.locator('#journal li').nth(i).waitFor({ state: 'attached' })
    }
    await fetch(`${url}/_emulator/requests?project_id=${OTHER_PROJECT}`, { method: 'DELETE' })
    await page.clock.runFor(5100)
    // The page shows the journal afresh (it empties the list, then its poll brings what is kept):
    // wait for the list to settle on what is kept, rather than read it once it is merely shorter.
    const kept = [PROJECT, PROJECT].map((p) => `GET /v2/${p}/clusters/${CLUSTER}/iam-sync`)
    await page.waitForFunction((kept) => {
      const { document } = globalThis as unknown as { document: { querySelectorAll: (selector: string) => Iterable<{ textContent: string }> } }
      return JSON.stringify([...document.querySelectorAll('#journal li code')].map((code) => code.textContent)) === JSON.stringify(kept)
    }, kept)
    t.same(await page.locator('#journal li code').allTextContents(), kept, 'the other project\'s entries are gone')

    // Focus and an open directory survive a refresh. The controls rendered before it are marked, so
    // that the test waits for their replacements (the refresh's fetches are real, not on the page's
    // clock) and then reads the page in one evaluation (a handle resolved before the refresh would
    // be the detached old control).
    const north = page.locator(`article[data-project="${PROJECT}"]`)
    const reset = north.getByRole('button', { name: 'Reset this project: cn-north-4' })
    await north.getByText(/^IAM directory/).click()
    await reset.focus()
    await north.evaluate((article) => { for (const control of article.querySelectorAll('button, details')) control.setAttribute('data-before', '') })
    await mrs(url, 'iam-sync')
    await page.locator('#journal li').nth(2).waitFor({ state: 'attached' })
    await page.clock.runFor(500)
    await north.locator('button:not([data-before])').first().waitFor({ state: 'attached' })
    const after = await north.evaluate((article) => ({
      open: (article.querySelector('details[data-key]') as unknown as { open: boolean }).open,
      focused: article.ownerDocument.activeElement?.getAttribute('aria-label'),
      stale: article.querySelectorAll('[data-before]').length
    }))
    t.same(after, { open: true, focused: 'Reset this project: cn-north-4', stale: 0 }, 'the directory stays open and the focus stays, on the re-rendered controls')

    // A journal smaller than the page's list: the page follows its evictions, without a reload.
    const { url: small } = await startServer(t, ['--journal-size', '5'], {}, { coverage: false })
    const tiny = await context.newPage()
    await tiny.clock.install()
    await tiny.goto(`${small}/_emulator/ui`)
    await loaded(tiny)
    for (let i = 0; i < 6; i++) {
      await mrs(small, 'iam-sync')
      await tiny.locator('#journal li').nth(i).waitFor({ state: 'attached' })
    }
    await tiny.locator('#journal li summary').first().click()
    await tiny.clock.runFor(5100)
    await tiny.locator('#journal li').nth(5).waitFor({ state: 'detached' })
    t.equal(await tiny.locator('#journal li').count(), 5)
    t.ok(await tiny.locator('#journal li details').first().evaluate((d) => (d as unknown as { open: boolean }).open), 'the newest 5, the open one still open')

    // The journal turned off: the page asks once a second, not in a loop.
    const { url: off } = await startServer(t, ['--journal-size', '0'], {}, { coverage: false })
    const idle = await context.newPage()
    await idle.clock.install()
    let polls = 0
    idle.on('request', (request) => { if (request.url().includes('/_emulator/requests')) polls++ })
    await idle.goto(`${off}/_emulator/ui`)
    await loaded(idle)
    await idle.clock.runFor(10_000)
    t.ok(polls <= 15, `${polls} journal requests in 10 s`)
  })

  t.test('with an admin token: the page loads without it, asks once, keeps it for the tab only', async (t) => {
    const { url } = await startServer(t, ['--admin-token', 'let-me-in'], {}, { coverage: false })
    t.equal((await fetch(`${url}/_emulator/ui`)).status, 200, 'the page holds no data')
    t.equal((await fetch(`${url}/_emulator/state`)).status, 401)
    // The page's first calls go out together, without a token. Two of their answers are held, so
    // that they come after a token was entered: the clock's after the wrong one (and before that
    // token's own answers), the faults' after the right one. Neither may hide the refusal or ask
    // again: it says nothing about the token entered since.
    const gate = () => {
      let open!: () => void
      const opened = new Promise<void>((resolve) => { open = resolve })
      return { open, opened }
    }
    /** Holds the first call to `path` that has this authorization (none: undefined) until `until` opens; `every`: all of them. */
    const hold = (page: Page, path: string, authorization: string | undefined, until: Promise<void>, every = false) => {
      let first = true
      return page.route(`**/_emulator/${path}`, async (route) => {
        if ((first || every) && route.request().headers().authorization === authorization) {
          first = false
          await until
        }
        await route.fallback()
      })
    }
    const clock = gate()
    const faults = gate()
    const wrong = gate()
    const { page, problems } = await open(t, url, undefined, async (page) => {
      await hold(page, 'clock', undefined, clock.opened)
      await hold(page, 'faults', undefined, faults.opened)
      await hold(page, '**', 'Bearer wrong', wrong.opened, true)
    })
    const dialog = page.getByRole('dialog', { name: 'Admin token' })
    await dialog.waitFor()
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
    t.ok(await dialog.isVisible(), 'Escape, even twice, does not dismiss it: nothing works without the token')
    await dialog.getByLabel('Admin token').fill('wrong')
    const staleClock = page.waitForResponse((res) => res.url().endsWith('/_emulator/clock') && res.request().headers().authorization === undefined)
    await page.keyboard.press('Enter')
    clock.open()
    await staleClock
    wrong.open()
    await dialog.getByText('That token was refused').waitFor()
    await dialog.getByLabel('Admin token').fill('tökén')
    t.equal(await dialog.getByLabel('Admin token').evaluate((input) => (input as unknown as { validationMessage: string }).validationMessage), 'An admin token is printable ASCII, without spaces.')
    await dialog.getByLabel('Admin token').fill('let-me-in')
    await page.getByRole('button', { name: 'Use it' }).click()
    faults.open()
    await loaded(page)
    t.notOk(await dialog.isVisible(), 'an answer to a call sent before the token came does not ask again')
    await page.getByRole('heading', { name: /cn-south-1/ }).waitFor()
    t.notMatch(page.url(), /let-me-in/, 'never in a URL')
    t.same(await page.evaluate('[sessionStorage.getItem("mrs-emulator-admin-token"), localStorage.length, document.cookie]'), ['let-me-in', 0, ''])
    await page.reload()
    await loaded(page)
    t.notOk(await dialog.isVisible(), 'asked once per tab')
    // The browser logs the 401s that made the page ask: expected; nothing else.
    t.same(problems.filter((p) => !p.includes('status of 401')), [], 'no script errors, no other failed loads')
  })
}
