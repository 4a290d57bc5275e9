import {
  type ApiError, authenticationFailed, credentialExpired, controlHeadersTooLarge, controlInvalid, controlTooLarge, entityTooLarge, headersTooLarge, iamFieldInvalid,
  internalError, invalidParameter, invalidProjectId, keystoneParameterInvalid, requestTimeout, projectQuota, subProjectQuota, throttled, tooManyAnswers, tooManyBodies, tooManyFaults, tooManyReads, tooManyWaiting, worldFull
} from './errors.js'
import { LIMITS, worded } from './limits.js'

/** An answer's status and code, as the docs write them: 413 `APIGW.0201`. */
const answered = (error: ApiError, more = '') => `${error.statusCode} \`${error.code}\`${more}`

const SETTING_REFUSED = 'the setting is refused'

/** What happens past each limit: the answers are the emulator's own errors, as errors.ts writes them. */
const BEYOND: Record<keyof typeof LIMITS, string> = {
  body: `${answered(entityTooLarge())}; the control plane: ${answered(controlTooLarge())}`,
  headers: `${answered(headersTooLarge())}; the control plane: ${answered(controlHeadersTooLarge())}`,
  headersTimeout: `${answered(requestTimeout())} ${requestTimeout().message}, connection closed (a handshake: closed without an answer)`,
  requestTimeout: answered(requestTimeout(), ', connection closed'),
  timeoutCheckInterval: '—',
  keepAlive: 'closed',
  pipelined: 'the connection is closed (the answers sent before stay sent)',
  pipelinedBytes: 'the connection that would have one more wait is closed',
  heldAnswer: 'the rest is held with its write: the answer finishes once the kernel has taken it, with Node\'s backpressure',
  connections: 'further connections are closed at once, not queued',
  bodiesInFlight: `${answered(throttled())}; the control plane: ${answered(tooManyBodies())}; before the body is read`,
  lingerBytes: 'the connection is closed',
  lingerTime: 'the connection is closed',
  jsonDepth: answered(invalidParameter(''), ', before parsing'),
  idLength: `${answered(invalidProjectId(''))} / ${answered(invalidParameter(''))} / ${answered(controlInvalid(''))}`,
  names: answered(invalidParameter('')),
  ownAuthBody: answered(entityTooLarge()),
  sdkDateSkew: answered(authenticationFailed('')),
  tokenLifetime: answered(credentialExpired(false)),
  keyDurationMin: answered(iamFieldInvalid('', '')),
  keyDurationMax: answered(iamFieldInvalid('', '')),
  issuedKept: 'the expired ones are dropped at the next issue',
  issuedMax: 'the oldest is dropped',
  projectsPerPage: `${answered(keystoneParameterInvalid(''))} (Keystone's body)`,
  subProjects: `${answered(subProjectQuota(''))} (Keystone's body)`,
  linkHost: 'links name the address reached',
  projects: `${answered(worldFull(''))}; \`POST /v3/projects\`: ${answered(projectQuota())} (Keystone's body); a fixture or state upload past it is refused`,
  clusters: `${answered(worldFull(''))}; a fixture or state upload past it is refused`,
  worldNames: `${answered(worldFull(''))}; a sync task that would take it past: ${answered(internalError())}; a fixture or state upload past it is refused`,
  credentials: 'a fixture or state upload past it is refused',
  credentialLength: 'a fixture or state upload past it is refused',
  nameLength: `${answered(controlInvalid(''))}; a fixture past it is refused; a token asked for a longer user name: 400 (Keystone's body)`,
  faultRules: answered(tooManyFaults(0)),
  faultHeaders: answered(controlInvalid('')),
  faultHeaderName: answered(controlInvalid('')),
  faultHeaderValue: answered(controlInvalid('')),
  faultErrorCode: answered(controlInvalid('')),
  faultErrorMsg: answered(controlInvalid('')),
  faultDelay: answered(controlInvalid('')),
  journalEntries: SETTING_REFUSED,
  journalBody: 'cut, with a marker',
  journalBytes: 'the oldest entries are dropped',
  journalJsonDepth: 'shown as text',
  journalWait: answered(controlInvalid('')),
  journalReads: answered(tooManyReads()),
  stall: 'the connection is closed',
  answersInFlight: `${answered(tooManyAnswers())}; IAM's lists: ${answered(throttled())}`,
  waiting: `${answered(tooManyWaiting())}; a delay fault: ${answered(throttled())}`,
  clockAdvance: answered(controlInvalid('')),
  clockOffset: answered(controlInvalid('')),
  syncDuration: SETTING_REFUSED,
  shutdownGrace: SETTING_REFUSED
}

/** SECURITY.md's table, made from LIMITS and the answers past them. */
export function limitsTable (): string {
  const rows = Object.entries(LIMITS).map(([name, l]) => `| ${l.what} | ${worded(l)} | ${BEYOND[name as keyof typeof LIMITS]} |`)
  return ['| Limit | Value | Beyond it |', '|---|---|---|', ...rows].join('\n')
}
