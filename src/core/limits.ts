/**
 * Every limit of the emulator, written once: the code reads its value here, messages and schema
 * descriptions are worded from it (`worded`), and SECURITY.md's table is this table
 * (`limitsTable` in limits-table.ts, checked by a test). The rule behind every number: no caller, authenticated or
 * not, can make the process hold memory or time that no limit bounds.
 */

export type Unit = 'bytes' | 'ms' | 'count' | 'levels' | 'seconds'

export interface Limit {
  readonly value: number
  readonly unit: Unit
  /** What is limited, as the docs' table names it. */
  readonly what: string
}

const limit = (value: number, unit: Unit, what: string): Limit => ({ value, unit, what })

const KiB = 1024
const MiB = 1024 * KiB
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const YEAR = 365 * 24 * HOUR

export const LIMITS = {
  // The connection and the request.
  body: limit(12 * MiB, 'bytes', 'Request body (the gateway\'s documented limit)'),
  headers: limit(16 * KiB, 'bytes', 'Request headers'),
  headersTimeout: limit(10 * SECOND, 'ms', 'Time to send the request headers (and, with --tls, to finish a TLS handshake)'),
  requestTimeout: limit(30 * SECOND, 'ms', 'Time to send the whole request'),
  timeoutCheckInterval: limit(1 * SECOND, 'ms', 'How often those two timeouts are checked'),
  keepAlive: limit(5 * SECOND, 'ms', 'Idle keep-alive connection'),
  pipelined: limit(16, 'count', 'Requests pipelined on a connection waiting for the one being answered (they are carried out one at a time)'),
  pipelinedBytes: limit(32 * MiB, 'bytes', 'Request lines and headers of the pipelined requests waiting, in all connections'),
  heldAnswer: limit(16 * KiB, 'bytes', 'Answer bytes a plain HTTP connection holds for the end of the event-loop turn with their write reported done (a UTF-16 unit counted as 3 bytes)'),
  connections: limit(4096, 'count', 'Connections open at once (at least 1,000 are always served)'),
  bodiesInFlight: limit(64 * MiB, 'bytes', 'Request bodies being read at once, in all (bodies up to 16 KiB are not counted; one without Content-Length counts as 12 MiB)'),
  lingerBytes: limit(64 * MiB, 'bytes', 'Bytes of a body read and thrown away after an early answer'),
  lingerTime: limit(5 * SECOND, 'ms', 'Time spent doing so'),
  jsonDepth: limit(64, 'levels', 'JSON nesting of a request body'),
  // The emulated API.
  idLength: limit(64, 'count', 'Characters of a `project_id` or `cluster_id` (the API reference\'s bound), or of a fault rule\'s id'),
  names: limit(1000, 'count', 'Names per array on DELETE'),
  // Routes that check their caller themselves (IAM's token routes) read their body first: a small one.
  ownAuthBody: limit(64 * KiB, 'bytes', 'Request body of IAM\'s token routes, which read it before they can check the caller'),
  sdkDateSkew: limit(15 * MINUTE, 'ms', 'Strict mode: `X-Sdk-Date` away from the emulator\'s real clock'),
  // IAM.
  tokenLifetime: limit(24 * HOUR, 'ms', 'Life of an issued token (on the emulator\'s clock)'),
  keyDurationMin: limit(900, 'seconds', 'Shortest temporary key (`duration_seconds`, also the default)'),
  keyDurationMax: limit(86_400, 'seconds', 'Longest temporary key'),
  issuedKept: limit(1000, 'count', 'Issued tokens and temporary keys kept, expired ones included'),
  issuedMax: limit(10_000, 'count', 'Issued tokens and temporary keys in all'),
  projectsPerPage: limit(5000, 'count', '`per_page` of `GET /v3/projects`'),
  // IAM's default quota, "Subprojects in each region: 10" (https://support.huaweicloud.com/intl/en-us/productdesc-iam/iam_01_0305.html).
  subProjects: limit(10, 'count', 'Sub-projects a region gets through `POST /v3/projects` (IAM\'s default quota)'),
  linkHost: limit(261, 'count', 'Characters of a `Host` that IAM\'s links are built from (a DNS name and a port); a longer one gives way to the address reached'),
  // The world: what the control plane, the API and IAM can make it hold.
  projects: limit(1000, 'count', 'Projects in the world (fixtures, state uploads, clusters put in a new project, sub-projects IAM makes)'),
  clusters: limit(10_000, 'count', 'Clusters in the world, in all'),
  worldNames: limit(100_000, 'count', 'Names in the world, in all: IAM users, groups and memberships, synchronized users and groups, the names of running tasks'),
  credentials: limit(11_000, 'count', 'Credentials a fixture or state upload holds (declared ones, and the 10,000 issued ones a state file may keep)'),
  credentialLength: limit(16 * KiB, 'count', 'Characters of a credential\'s key, token or password (what travels in a header is at most 16 KiB anyway)'),
  nameLength: limit(64, 'count', 'Characters of a name the world keeps: an IAM user or group, a synchronized name'),
  // The control plane.
  faultRules: limit(1000, 'count', 'Fault rules'),
  faultHeaders: limit(16, 'count', 'Headers a fault rule adds'),
  faultHeaderName: limit(64, 'count', 'Characters of such a header\'s name'),
  faultHeaderValue: limit(1024, 'count', 'Characters of such a header\'s value'),
  faultErrorCode: limit(64, 'count', 'Characters of a fault rule\'s `error_code`'),
  faultErrorMsg: limit(4096, 'count', 'Characters of a fault rule\'s `error_msg`'),
  faultDelay: limit(10 * MINUTE, 'ms', 'A fault rule\'s `delay_ms`'),
  journalEntries: limit(100_000, 'count', 'Journal entries (`MRS_EMULATOR_JOURNAL_SIZE`; past it the oldest is dropped)'),
  journalBody: limit(16 * KiB, 'bytes', 'Journal body, per request and per response'),
  journalBytes: limit(256 * MiB, 'bytes', 'The bytes the journal keeps, all its entries together (past it the oldest entries are dropped)'),
  journalJsonDepth: limit(1000, 'levels', 'JSON nesting the journal shows as JSON'),
  journalWait: limit(30 * SECOND, 'ms', '`wait_ms` of a journal query'),
  journalReads: limit(32, 'count', 'Journal reads being sent at once (`/_emulator/requests` and its HAR)'),
  stall: limit(30 * SECOND, 'ms', 'A connection whose client takes nothing of the answers waiting for it for this long is closed (a journal read, a large answer, answers to pipelined requests)'),
  answersInFlight: limit(64 * MiB, 'bytes', 'Large answers being sent at once, in all (the world, the OpenAPI document, IAM\'s lists; answers up to 64 KiB are not counted)'),
  waiting: limit(1000, 'count', 'Requests waiting at once (journal `wait_ms` long polls and delay faults, together); each stops waiting when its client goes away'),
  clockAdvance: limit(YEAR, 'ms', 'One move of the clock (`advance_ms`)'),
  clockOffset: limit(100 * YEAR, 'ms', 'How far the clock gets ahead in all (a reset puts it back)'),
  syncDuration: limit(24 * HOUR, 'ms', 'A sync task\'s duration (`MRS_EMULATOR_SYNC_DURATION_MS`)'),
  shutdownGrace: limit(10 * MINUTE, 'ms', 'The shutdown grace (`MRS_EMULATOR_SHUTDOWN_GRACE_MS`)')
} as const satisfies Record<string, Limit>

// Thousands separated by commas, as toLocaleString('en-US') would, without its first call's
// loading of the locale data (15 ms of every start).
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`

/** A limit's value in words: `12 MiB`, `15 minutes`, `1,000`, `64 levels`. */
export function worded ({ value, unit }: Limit): string {
  switch (unit) {
    case 'bytes':
      if (value % MiB === 0) return `${count(value / MiB)} MiB`
      if (value % KiB === 0) return `${count(value / KiB)} KiB`
      return plural(value, 'byte')
    case 'ms':
      if (value % YEAR === 0) return plural(value / YEAR, 'year')
      if (value % HOUR === 0) return plural(value / HOUR, 'hour')
      if (value % MINUTE === 0) return plural(value / MINUTE, 'minute')
      if (value % SECOND === 0) return `${count(value / SECOND)} s`
      return `${count(value)} ms`
    case 'seconds':
      return `${count(value)} s`
    case 'levels':
      return plural(value, 'level')
    case 'count':
      return count(value)
  }
}
