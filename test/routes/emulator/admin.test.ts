import t from 'tap'
import { build } from '../../helpers.js'

const CONTROL = [
  ['POST', '/_emulator/reset'], ['GET', '/_emulator/state'], ['PUT', '/_emulator/state'],
  ['GET', '/_emulator/projects/p/clusters/c'], ['PUT', '/_emulator/projects/p/clusters/c'], ['DELETE', '/_emulator/projects/p/clusters/c'],
  ['POST', '/_emulator/tasks/complete'], ['POST', '/_emulator/faults'], ['GET', '/_emulator/faults'], ['DELETE', '/_emulator/faults'],
  ['DELETE', '/_emulator/faults/x'], ['GET', '/_emulator/requests'], ['DELETE', '/_emulator/requests'], ['GET', '/_emulator/openapi.json']
] as const

t.test('with an admin token, every control-plane route but health and ready needs it', async (t) => {
  const app = await build(t, { adminToken: 's3cret' })
  for (const [method, url] of CONTROL) {
    for (const authorization of [undefined, 'Bearer wrong', 'Bearer s3cret2', 's3cret']) {
      const res = await app.inject({ method, url, headers: authorization === undefined ? {} : { authorization } })
      t.equal(res.statusCode, 401, `${method} ${url} ${authorization}`)
      t.same(res.json(), { error_code: 'EMULATOR.0401', error_msg: 'The control plane needs Authorization: Bearer <admin token>.' })
      t.equal(res.headers['www-authenticate'], 'Bearer')
    }
  }
  const ok = await app.inject({ method: 'GET', url: '/_emulator/state', headers: { authorization: 'Bearer s3cret' } })
  t.equal(ok.statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/health' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/ready' })).statusCode, 200)
})

t.test('unknown control-plane routes: 404 EMULATOR.0404', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/_emulator/nope?x=1' })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { error_code: 'EMULATOR.0404', error_msg: 'No control-plane route GET /_emulator/nope.' })
})
