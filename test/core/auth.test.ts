import t from 'tap'
import { parseAuthorization, permissiveHeaders, type AuthRequest } from '../../src/core/auth.js'

const SIG = 'a'.repeat(64)
const detail = (headers: AuthRequest['headers']) => permissiveHeaders(headers)?.message

t.test('parses the Authorization headers the SDKs write', async (t) => {
  t.same(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-sdk-date, Signature=${SIG}`),
    { algorithm: 'SDK-HMAC-SHA256', credential: 'AK1', signedHeaders: ['content-type', 'host', 'x-sdk-date'], signature: SIG })
  t.same(parseAuthorization(`V11-HMAC-SHA256 Credential=AK1/20240101/region/mrs, SignedHeaders=x-sdk-date, Signature=${SIG}`)?.credential,
    'AK1/20240101/region/mrs')
  t.equal(parseAuthorization('Bearer abc'), undefined)
  t.equal(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1,SignedHeaders=x-sdk-date,Signature=${SIG}`), undefined, 'fields need ", "')
  t.equal(parseAuthorization('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date, Signature=xyz'), undefined)
})

t.test('permissive mode lets any token or well-formed signature through', async (t) => {
  t.equal(detail({ 'x-auth-token': 'anything' }), undefined)
  t.equal(detail({ authorization: `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${SIG}`, 'x-sdk-date': '20240101T000000Z' }), undefined)
})

t.test('permissive mode refuses requests without usable credentials, with the documented details', async (t) => {
  t.equal(detail({}), 'Incorrect IAM authentication information: x-auth-token not found')
  t.equal(detail({ 'x-auth-token': '' }), 'Incorrect IAM authentication information: x-auth-token not found')
  t.match(detail({ authorization: 'Basic dXNlcjpwYXNz' }), /^Incorrect IAM authentication information: verify aksk signature fail, the Authorization header is malformed$/)
  t.match(detail({ authorization: `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${SIG}` }), /X-Sdk-Date is missing/)
  t.match(detail({ authorization: `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${SIG}`, 'x-sdk-date': '2024-01-01' }), /X-Sdk-Date is missing or malformed/)
  t.match(permissiveHeaders({}), { statusCode: 401, code: 'APIGW.0301', shape: 'gateway' })
})
