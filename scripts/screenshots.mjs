// npm run screenshots: the README's pictures of the dashboard, made with the browser setup of
// the tests (Debian's Chromium driven by playwright-core), against an emulator in this process
// with a little history. Also prints how long the page takes to load (median of 20 loads: from navigation to the world on screen, by the page's own performance mark).
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { startEmulator } from '../dist/src/start.js'
import { PACKAGE_ROOT } from '../dist/src/package-info.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const PROJECT = 'ff8080828997cb24018a1b2db3440b80'
const CLUSTER = 'f7f45c04-4303-411c-9b71-d2cb730dd162'

const emulator = await startEmulator({ syncDurationMs: 3_600_000 })
const call = (method, path, body) => fetch(`${emulator.url}${path}`, {
  method, headers: { 'x-auth-token': 'screenshot', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body)
})
await call('POST', '/_emulator/faults', { id: 'status-fails-once', match: { operation: 'ListSyncStatus' }, action: { status: 503, error_code: 'APIGW.0503', error_msg: 'Service unavailable.' }, times: 1 })
await call('GET', '/v3/projects?name=cn-north-4')
await call('POST', `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`, { user_names: ['user1', 'analyst'] })
await call('GET', `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync`)
await call('GET', `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync`)
await call('DELETE', `/v2/${PROJECT}/clusters/no-such-cluster/iam-sync-user`, { user_names: ['user2'] })

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1, colorScheme: 'light' })
  const times = []
  for (let i = 0; i < 20; i++) {
    await page.goto(`${emulator.url}/_emulator/ui`)
    await page.waitForSelector('body[data-loaded]')
    times.push(await page.evaluate("performance.getEntriesByName('world-shown')[0].startTime"))
  }
  times.sort((a, b) => a - b)
  console.log(`page load to the world shown: median ${times[10].toFixed(1)} ms, slowest ${times[19].toFixed(1)} ms (20 loads)`)
  await page.locator('#journal li').filter({ hasText: 'UpdateSyncIamUser' }).locator('summary').click()
  // A full-page picture: the journal drawn whole (rows off screen are skipped by
  // content-visibility, and the list scrolls in a box of 70% of the window, which cut the open entry).
  await page.evaluate(() => {
    document.getElementById('journal').style.maxHeight = 'none'
    for (const row of document.querySelectorAll('#journal li')) row.style.contentVisibility = 'visible'
  })
  await page.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'dashboard.png'), fullPage: true })
  // A full journal: 1,000 entries shown, and one more arriving live.
  for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 50 }, () => call('GET', `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync-user`)))
  const full = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
  await full.goto(`${emulator.url}/_emulator/ui`)
  await full.locator('#journal li').nth(999).waitFor({ state: 'attached' })
  const shown = await full.evaluate(() => performance.now())
  const before = Date.now()
  await call('GET', `/v2/${PROJECT}/clusters/${CLUSTER}/iam-sync/is-synchronous`)
  await full.locator('#journal li').first().filter({ hasText: 'ListSyncRequirements' }).waitFor()
  console.log(`a full journal: 1,000 entries on screen ${shown.toFixed(0)} ms after navigation; a new request shown ${Date.now() - before} ms after it was answered`)
  await full.close()
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, colorScheme: 'dark' })
  await phone.goto(`${emulator.url}/_emulator/ui`)
  await phone.waitForSelector('body[data-loaded]')
  await phone.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'dashboard-phone.png') })
  console.log('wrote docs/dashboard.png and docs/dashboard-phone.png')
} finally {
  await browser.close()
  await emulator.close()
}
