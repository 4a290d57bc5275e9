import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { LIMITS, worded } from '../../src/core/limits.js'
import { limitsTable } from '../../src/core/limits-table.js'
import { PACKAGE_ROOT } from '../../src/package-info.js'

t.test('SECURITY.md shows the limits table of the code', async (t) => {
  const page = await readFile(join(PACKAGE_ROOT, 'SECURITY.md'), 'utf8')
  const table = limitsTable()
  const holds = page.includes(table)
  t.ok(holds, 'SECURITY.md holds limitsTable() as is', holds ? {} : { wanted: table })
})

t.test('a limit in words', async (t) => {
  t.equal(worded(LIMITS.body), '12 MiB')
  t.equal(worded(LIMITS.journalBody), '16 KiB')
  t.equal(worded({ value: 1000, unit: 'bytes', what: '' }), '1,000 bytes')
  t.equal(worded({ value: 1, unit: 'bytes', what: '' }), '1 byte')
  t.equal(worded(LIMITS.sdkDateSkew), '15 minutes')
  t.equal(worded(LIMITS.tokenLifetime), '24 hours')
  t.equal(worded(LIMITS.clockAdvance), '1 year')
  t.equal(worded(LIMITS.clockOffset), '100 years')
  t.equal(worded(LIMITS.requestTimeout), '30 s')
  t.equal(worded({ value: 1500, unit: 'ms', what: '' }), '1,500 ms')
  t.equal(worded(LIMITS.keyDurationMax), '86,400 s')
  t.equal(worded(LIMITS.jsonDepth), '64 levels')
  t.equal(worded(LIMITS.connections), '4,096')
})
