import { Type } from '@sinclair/typebox'
import t from 'tap'
import { validatorCompiler } from '../../src/http/validation.js'

t.test('query strings and headers are validated strictly too', async (t) => {
  const validate = validatorCompiler({ schema: Type.Object({ limit: Type.String() }), httpPart: 'querystring', method: 'GET', url: '/' }) as (data: unknown) => unknown
  t.equal(validate({ limit: '1' }), true)
  t.match(validate({}), { error: { statusCode: 400, code: '12000002', message: 'querystring is invalid: Expected required property' } })
})
