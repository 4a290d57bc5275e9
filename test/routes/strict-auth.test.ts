import t from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { signRequest, type SigningKey } from '../../src/core/signature.js'
import { BODY_LIMIT } from '../../src/app.js'
import { build, CLUSTER, DOC_EXAMPLE_BODY, OTHER_PROJECT, PROJECT, syncPath, userPath } from '../helpers.js'

const NOW = Date.UTC(2024, 2, 1, 10, 11, 12)
/** The first AK/SK pair and token of the bundled fixtures, bound to the documentation's project. */
const KEY: SigningKey = { algorithm: 'SDK-HMAC-SHA256', accessKey: 'EMULATORAK0000000001', secretKey: 'EmulatorSecretKey0000000000000000000001', date: '20240301T101112Z' }
const TOKEN = 'emulator-token-ff8080828997cb24018a1b2db3440b80'

/** Sends a request signed as the Node SDK signs it (inject's Host is localhost:80). */
function signedInject (app: FastifyInstance, method: 'GET' | 'POST' | 'DELETE', url: string, body = '', key = KEY, extra: Record<string, string> = {}) {
  const headers = signRequest({ method, url, body, headers: { 'content-type': 'application/json', host: 'localhost:80', 'x-project-id': PROJECT, ...extra } }, key)
  return app.inject({ method, url, headers, payload: body } as InjectOptions)
}

t.test('strict mode: signed requests and known tokens pass on every operation', async (t) => {
  const app = await build(t, { auth: 'strict', now: () => NOW })
  t.equal((await signedInject(app, 'DELETE', userPath(), JSON.stringify(DOC_EXAMPLE_BODY))).statusCode, 202)
  t.equal((await signedInject(app, 'DELETE', userPath())).statusCode, 202, 'empty body')
  t.equal((await signedInject(app, 'POST', userPath(), '{"user_names":["user1"]}')).statusCode, 202)
  t.same((await signedInject(app, 'GET', userPath())).json(), { user_names: ['user1'], group_names: ['groups1'] })
  t.equal((await signedInject(app, 'GET', syncPath())).statusCode, 200)
  t.equal((await signedInject(app, 'GET', `${userPath()}?unused=1`, '', { ...KEY, algorithm: 'V11-HMAC-SHA256', scope: '20240301/cn-north-4/mrs' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: { 'x-auth-token': TOKEN } })).statusCode, 200)
})

t.test('strict mode refuses what the gateway refuses', async (t) => {
  const app = await build(t, { auth: 'strict', now: () => NOW })
  const forged = await app.inject({ method: 'GET', url: userPath(), headers: { 'x-auth-token': 'forged' } })
  t.equal(forged.statusCode, 401)
  t.same(forged.json(), { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: decrypt token fail', request_id: forged.headers['x-request-id'] })
  const wrongSk = await signedInject(app, 'DELETE', userPath(), '{}', { ...KEY, secretKey: 'wrong' })
  t.same(wrongSk.json().error_msg, 'Incorrect IAM authentication information: verify aksk signature fail, the signature does not match')
  const stale = await signedInject(app, 'DELETE', userPath(), '{}', { ...KEY, date: '20240301T092000Z' })
  t.match(stale.json().error_msg, /more than 15 minutes/)
  const otherProject = await signedInject(app, 'GET', userPath(OTHER_PROJECT, CLUSTER))
  t.equal(otherProject.statusCode, 403)
  t.same(otherProject.json(), { error_code: 'APIGW.0306', error_msg: 'API access denied.', request_id: otherProject.headers['x-request-id'] })
  const projectHeader = await signedInject(app, 'GET', userPath(), '', KEY, { 'x-project-id': OTHER_PROJECT })
  t.equal(projectHeader.statusCode, 400)
  t.same(projectHeader.json(), { error_code: '12000107', error_msg: `Invalid project ID: ${OTHER_PROJECT}.` })
})

t.test('a signed body is verified on a GET too', async (t) => {
  const app = await build(t, { auth: 'strict', now: () => NOW })
  const headers = signRequest({ method: 'GET', url: userPath(), body: '{"a":1}', headers: { host: 'localhost:80' } }, KEY)
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers, payload: '{"a":1}' })).statusCode, 200)
  const tampered = await app.inject({ method: 'GET', url: userPath(), headers, payload: '{"a":2}' })
  t.equal(tampered.statusCode, 401)
  const huge = await app.inject({ method: 'GET', url: userPath(), headers, payload: Buffer.alloc(BODY_LIMIT + 1) })
  t.equal(huge.statusCode, 413)
  t.equal(huge.json().error_code, 'APIGW.0201')
})

t.test('strict mode with no credentials in the fixture refuses everything', async (t) => {
  const app = await build(t, { auth: 'strict', fixtures: { projects: [] } })
  t.equal((await app.inject({ method: 'GET', url: userPath(), headers: { 'x-auth-token': TOKEN } })).statusCode, 401)
})

t.test('secrets never reach the logs', async (t) => {
  const lines: string[] = []
  const app = await build(t, { auth: 'strict', now: () => NOW, logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } } })
  app.emulator.store.showJson = () => { throw new Error('unexpected') }
  await app.inject({ method: 'GET', url: userPath(), headers: { 'x-auth-token': TOKEN, 'x-security-token': 'sts-secret' } })
  await signedInject(app, 'DELETE', userPath(), '{}')
  app.log.info({ headers: { authorization: 'SDK-HMAC-SHA256 secret', 'x-auth-token': TOKEN, 'x-security-token': 'sts-secret' } }, 'headers')
  const log = lines.join('')
  t.match(log, /"status":500/, 'the requests were logged')
  t.match(log, /\[Redacted\]/)
  t.notMatch(log, TOKEN)
  t.notMatch(log, 'sts-secret')
  t.notMatch(log, /SDK-HMAC-SHA256/)
})

t.test('logger: true gets the redaction too', async (t) => {
  const app = await build(t, { logger: true })
  t.ok(app.log)
})
