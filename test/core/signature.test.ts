import { createRequire } from 'node:module'
import t from 'tap'
import {
  canonicalQuery, canonicalRequest, canonicalUri, derivedKey, EMPTY_BODY_SHA256, encode, hmacHex, sameSignature,
  sha256Hex, signatureOf, signRequest, type SigningKey
} from '../../src/core/signature.js'

const require = createRequire(import.meta.url)
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner')
const { DerivedAKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/DerivedAKSKSigner')

const GO_KEY: SigningKey = { algorithm: 'SDK-HMAC-SHA256', accessKey: 'AccessKey', secretKey: 'SecretKey', date: '20060102T150405Z' }

t.test("Huawei's published vectors", async (t) => {
  const get = canonicalRequest({ method: 'GET', url: '/path?limit=1', headers: { 'x-sdk-date': GO_KEY.date }, body: undefined }, ['x-sdk-date'])!
  t.equal(signatureOf(get, GO_KEY), '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624', 'Go SDK signer test, GET')
  const post = canonicalRequest({ method: 'POST', url: '/path?key=value', headers: { 'x-sdk-date': GO_KEY.date }, body: '{"Name":"test","Id":1}\n' }, ['x-sdk-date'])!
  t.equal(signatureOf(post, GO_KEY), 'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59', 'Go SDK signer test, POST with a body')
  t.equal(hmacHex('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
    'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a'),
  '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe', 'signing guide')
  t.equal(sha256Hex(''), EMPTY_BODY_SHA256)
})

t.test('canonical parts', async (t) => {
  t.equal(encode("a-._~ !'()*/é"), 'a-._~%20%21%27%28%29%2A%2F%C3%A9')
  t.equal(canonicalUri('/v2/p1/clusters/c_1-x/iam-sync-user'), '/v2/p1/clusters/c_1-x/iam-sync-user/')
  t.equal(canonicalUri('/a/'), '/a/', 'a trailing slash is not doubled')
  t.equal(canonicalUri('/caf%c3%a9/a%20b/100%'), '/caf%C3%A9/a%20b/100%25/', 'decoded, then encoded as the SDKs do')
  t.equal(canonicalQuery(''), '')
  t.equal(canonicalQuery('b=2&a=y&a=x&c&&d='), 'a=x&a=y&b=2&c=&d=')
  t.equal(canonicalQuery('k%20ey=v+1%2F'), 'k%20ey=v%2B1%2F')
  t.equal(canonicalRequest({ method: 'GET', url: '/', headers: {}, body: undefined }, ['host']), undefined, 'a signed header that is absent')
  const unsigned = canonicalRequest({ method: 'PUT', url: '/', headers: { 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'x' }, ['x-sdk-content-sha256'])!
  t.match(unsigned, /\nUNSIGNED-PAYLOAD$/, 'X-Sdk-Content-Sha256 replaces the body hash')
  t.match(canonicalRequest({ method: 'GET', url: '/', headers: { a: ' padded ', b: ['1', '2'] }, body: Buffer.alloc(0) }, ['a', 'b'])!,
    /\na:padded\nb:1,2\n\na;b\ne3b0c442/, 'values trimmed, repeated headers joined, an empty body hashes as none')
  // The signed-headers line is remembered between requests: by the names, not by the array.
  const names = ['a', 'b']
  const request = { method: 'GET', url: '/', headers: { a: '1', b: '2', c: '3' }, body: undefined }
  t.match(canonicalRequest(request, names)!, /\na;b\n/)
  names[1] = 'c'
  t.match(canonicalRequest(request, names)!, /\na:1\nc:3\n\na;c\n/, 'the same array with other names')
  t.match(canonicalRequest(request, ['a', 'c'])!, /\na;c\n/, 'the same names in another array')
})

t.test('the same signatures as the Node SDK core, SDK-HMAC-SHA256 and V11-HMAC-SHA256', async (t) => {
  const credential = { getAk: () => 'AK-1', getSk: () => 'SK-secret', getRegionId: () => 'cn-north-4', getDerivedAuthServiceName: () => 'mrs' }
  const data = { user_names: ['user1', 'é'], group_names: [] }
  const sdkRequest = () => ({
    method: 'DELETE',
    endpoint: 'http://127.0.0.1:9336/v2/p1/clusters/c1/iam-sync-user',
    headers: { 'content-type': 'application/json', 'X-Project-Id': 'p1', 'X-Sdk-Date': '20240301T101112Z' },
    queryParams: { b: '2', a: ['y', 'x'] },
    data
  })
  for (const [signer, algorithm] of [[AKSKSigner, 'SDK-HMAC-SHA256'], [DerivedAKSKSigner, 'V11-HMAC-SHA256']] as const) {
    const headers: Record<string, string> = signer.sign(sdkRequest(), credential)
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
    const match = /SignedHeaders=([^,]+), Signature=(\w+)$/.exec(lower.authorization!)!
    const canonical = canonicalRequest({ method: 'DELETE', url: '/v2/p1/clusters/c1/iam-sync-user?b=2&a=y&a=x', headers: lower, body: JSON.stringify(data) }, match[1]!.split(';'))!
    const key: SigningKey = { algorithm, accessKey: 'AK-1', secretKey: 'SK-secret', date: '20240301T101112Z', scope: '20240301/cn-north-4/mrs' }
    t.equal(signatureOf(canonical, key), match[2], algorithm)
  }
})

t.test('signRequest signs every header given and writes the Authorization the SDKs write', async (t) => {
  const key: SigningKey = { ...GO_KEY, algorithm: 'V11-HMAC-SHA256', scope: '20060102/r/s' }
  const headers = signRequest({ method: 'GET', url: '/x', headers: { Host: 'h', 'X-Empty': undefined }, body: undefined }, key)
  t.match(headers.authorization, /^V11-HMAC-SHA256 Credential=AccessKey\/20060102\/r\/s, SignedHeaders=host;x-sdk-date, Signature=[0-9a-f]{64}$/)
  t.equal(headers['x-sdk-date'], GO_KEY.date)
  t.equal(derivedKey('AK', 'SK', 'i').length, 64)
})

t.test('signatures compare in constant time, any length', async (t) => {
  t.equal(sameSignature('ab', 'ab'), true)
  t.equal(sameSignature('ab', 'ac'), false)
  t.equal(sameSignature('ab', 'abc'), false)
})
