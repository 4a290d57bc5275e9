import t from 'tap'
import type { AuthRequest } from '../../src/core/auth.js'
import { authenticateBoth } from '../helpers.js'
import { MAX_CLOCK_SKEW_MS, parseSdkDate, strictAuthenticator } from '../../src/core/strict-auth.js'
import { signRequest, type SigningKey } from '../../src/core/signature.js'

const P = 'p1'
const NOW = Date.UTC(2024, 2, 1, 10, 11, 12)
const DATE = '20240301T101112Z'
const credentials = [
  { access_key: 'AK1', secret_key: 'SK1', project_id: P },
  { access_key: 'AK2', secret_key: 'SK2', project_id: 'p2' },
  { access_key: 'TEMP', secret_key: 'SKT', security_token: 'sts-token', project_id: P },
  { token: 'T1', project_id: P }
]
let clock = NOW
const strict = strictAuthenticator(() => credentials, () => clock)
const authenticate = (request: AuthRequest) => authenticateBoth(strict, request)

const URL = `/v2/${P}/clusters/c1/iam-sync-user?x=1`
const BODY = '{"user_names":["user1"]}'
const sdkKey = (overrides: Partial<SigningKey> = {}): SigningKey =>
  ({ algorithm: 'SDK-HMAC-SHA256', accessKey: 'AK1', secretKey: 'SK1', date: DATE, ...overrides })

/** A request signed as the Node SDK signs it. */
function signed (key = sdkKey(), extra: Record<string, string> = {}, url = URL, body = BODY): AuthRequest {
  const headers = signRequest({
    method: 'DELETE',
    url,
    body,
    headers: { 'content-type': 'application/json', host: '127.0.0.1:9336', 'x-project-id': P, ...extra }
  }, key)
  return { method: 'DELETE', url, headers, body: Buffer.from(body), projectId: P }
}
const detail = (request: AuthRequest) => authenticate(request)?.message.replace('Incorrect IAM authentication information: ', '')

t.test('a correctly signed request passes, SDK-HMAC-SHA256 and V11-HMAC-SHA256', async (t) => {
  t.equal(authenticate(signed()), undefined)
  t.equal(authenticate(signed(sdkKey({ algorithm: 'V11-HMAC-SHA256', scope: '20240301/cn-north-4/mrs' }))), undefined)
  t.equal(authenticate(signed(sdkKey(), {}, `/v2/${P}/clusters/c1/iam-sync-user`, '')), undefined, 'no query, no body')
})

t.test('a date within 15 minutes passes; further off is refused', async (t) => {
  t.teardown(() => { clock = NOW })
  clock = NOW + MAX_CLOCK_SKEW_MS
  t.equal(authenticate(signed()), undefined)
  clock = NOW - MAX_CLOCK_SKEW_MS - 1000
  t.match(detail(signed()), /^verify aksk signature fail, X-Sdk-Date 20240301T101112Z is more than 15 minutes from the server time 2024-03-01T09:56:11\.000Z$/)
  clock = NOW + MAX_CLOCK_SKEW_MS + 1000
  t.match(detail(signed()), /more than 15 minutes/)
})

t.test('any change to what was signed is refused', async (t) => {
  const tamper = (change: (r: AuthRequest) => void) => {
    const request = signed()
    change(request)
    return detail(request)
  }
  const mismatch = 'verify aksk signature fail, the signature does not match'
  t.equal(tamper((r) => { r.method = 'POST' }), mismatch, 'method')
  t.equal(tamper((r) => { r.url = r.url.replace('c1', 'c2') }), mismatch, 'path')
  t.equal(tamper((r) => { r.url = r.url.replace('x=1', 'x=2') }), mismatch, 'query')
  t.equal(tamper((r) => { r.headers['content-type'] = 'text/plain' }), mismatch, 'a signed header')
  t.equal(tamper((r) => { r.body = Buffer.from(BODY.replace('user1', 'user2')) }), mismatch, 'body')
  t.equal(tamper((r) => { r.body = Buffer.from(BODY + ' ') }), mismatch, 'one more byte of body')
  t.equal(tamper((r) => { r.headers.authorization = r.headers.authorization!.replace(/.$/, (c) => c === '0' ? '1' : '0') }), mismatch, 'signature')
  t.equal(tamper((r) => { r.headers['x-unsigned'] = 'anything' }), undefined, 'an unsigned header may change')
  t.equal(tamper((r) => { delete r.headers.host }), 'verify aksk signature fail, a signed header is missing from the request')
})

t.test('wrong keys and malformed signatures are refused with the documented details', async (t) => {
  t.equal(detail(signed(sdkKey({ secretKey: 'wrong' }))), 'verify aksk signature fail, the signature does not match', 'wrong SK')
  t.equal(detail(signed(sdkKey({ accessKey: 'NOPE' }))), 'ak NOPE not exist', 'unknown AK')
  const request = signed()
  request.headers.authorization = 'SDK-HMAC-SHA256 garbage'
  t.equal(detail(request), 'verify aksk signature fail, the Authorization header is malformed')
  const noDate = signed()
  delete noDate.headers['x-sdk-date']
  t.equal(detail(noDate), 'verify aksk signature fail, X-Sdk-Date not found')
  const unsignedDate = signed()
  unsignedDate.headers.authorization = unsignedDate.headers.authorization!.replace(';x-sdk-date', '')
  t.equal(detail(unsignedDate), 'verify aksk signature fail, x-sdk-date is not a signed header')
  const badDate = signed()
  badDate.headers['x-sdk-date'] = '20241301T000000Z'
  t.equal(detail(badDate), 'verify aksk signature fail, X-Sdk-Date 20241301T000000Z is not YYYYMMDDTHHMMSSZ')
  t.equal(detail(signed(sdkKey({ algorithm: 'V11-HMAC-SHA256', scope: '20240229/cn-north-4/mrs' }))),
    'verify aksk signature fail, the credential scope must be <X-Sdk-Date day>/<region>/<service>', 'V11 scope of another day')
  t.equal(detail(signed(sdkKey({ algorithm: 'V11-HMAC-SHA256', scope: '20240301/mrs' }))),
    'verify aksk signature fail, the credential scope must be <X-Sdk-Date day>/<region>/<service>', 'V11 scope too short')
  t.match(authenticate(signed(sdkKey({ secretKey: 'wrong' }))), { statusCode: 401, code: 'APIGW.0301', shape: 'gateway' })
})

t.test('temporary keys need their X-Security-Token, signed', async (t) => {
  const temp = sdkKey({ accessKey: 'TEMP', secretKey: 'SKT' })
  t.equal(authenticate(signed(temp, { 'x-security-token': 'sts-token' })), undefined)
  t.equal(detail(signed(temp)), 'verify aksk signature fail, X-Security-Token is missing: this AK is a temporary key, used with its security token')
  t.equal(detail(signed(temp, { 'x-security-token': 'other' })), 'verify aksk signature fail, X-Security-Token does not belong to this AK')
  t.equal(detail(signed(sdkKey(), { 'x-security-token': 'sts-token' })), 'verify aksk signature fail, this AK is a permanent key: it takes no X-Security-Token', 'a permanent AK with a token')
  const unsigned = signed(temp)
  unsigned.headers['x-security-token'] = 'sts-token'
  t.equal(detail(unsigned), 'verify aksk signature fail, x-security-token is not a signed header')
})

t.test('tokens: known ones pass, others are refused', async (t) => {
  const request = (headers: AuthRequest['headers'], projectId = P): AuthRequest => ({ method: 'GET', url: '/', headers, body: undefined, projectId })
  t.equal(authenticate(request({ 'x-auth-token': 'T1' })), undefined)
  t.equal(detail(request({ 'x-auth-token': 'forged' })), 'decrypt token fail')
  t.equal(detail(request({ 'x-auth-token': '' })), 'decrypt token fail')
  t.equal(detail(request({})), 'x-auth-token not found')
  t.match(authenticate(request({ 'x-auth-token': 'T1' }, 'p2')), { statusCode: 403, code: 'APIGW.0306', message: 'API access denied.', shape: 'gateway' })
})

t.test("a credential of another project: 403 APIGW.0306; an X-Project-Id that differs from the path's: 400 12000107", async (t) => {
  t.match(authenticate(signed(sdkKey({ accessKey: 'AK2', secretKey: 'SK2' }))), { statusCode: 403, code: 'APIGW.0306' })
  t.match(authenticate(signed(sdkKey(), { 'x-project-id': 'p2' })), { statusCode: 400, code: '12000107', message: 'Invalid project ID: p2.' })
})

t.test('parseSdkDate', async (t) => {
  t.equal(parseSdkDate(DATE), NOW)
  t.ok(Number.isNaN(parseSdkDate('2024-03-01T10:11:12Z')))
  t.ok(Number.isNaN(parseSdkDate('20240230T101112Z')), 'no February 30th')
})

t.test('credentials are indexed again when the world replaces them', async (t) => {
  let current = credentials
  const auth = strictAuthenticator(() => current, () => clock)
  const request: AuthRequest = { method: 'GET', url: '/', headers: { 'x-auth-token': 'T1' }, body: undefined, projectId: P }
  t.equal(authenticateBoth(auth, request), undefined)
  current = [{ token: 'T2', project_id: P }]
  t.match(authenticateBoth(auth, request), { code: 'APIGW.0301' })
})
