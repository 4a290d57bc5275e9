import fc from 'fast-check'
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { jsonSyntaxMessage, syntaxErrorOffset } from '../../src/core/json-syntax.js'
import { formatProblems, problemsOf } from '../../src/core/problems.js'

const parses = (text: string) => { try { JSON.parse(text); return true } catch { return false } }

/** A JSON text with one character deleted, inserted or replaced: mostly broken, sometimes still valid. */
const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}[]",:0-.eE+ tfn\\\n\u0001a'))
  .map(([text, at, how, char]) => {
    const i = text.length === 0 ? 0 : at % text.length
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1)
    if (how === 'insert') return text.slice(0, i) + char + text.slice(i)
    return text.slice(0, i) + char + text.slice(i + 1)
  })

t.test('the syntax locator agrees with JSON.parse on what is valid', async (t) => {
  fc.assert(fc.property(fc.oneof(fc.json(), mutated, fc.string()), (text) => (syntaxErrorOffset(text) === -1) === parses(text)), { numRuns: 3000 })
  for (const text of ['1'.repeat(600), `-${'9'.repeat(500)}.5e+10`, '"\\u00e9\\n"', ' [ ] ', '{"a":{"b":[1,2,{}]}}']) t.equal(syntaxErrorOffset(text), -1, text.slice(0, 20))
  t.pass('3,000 texts')
})

t.test('line and column of the first error, and what is there, on every Node.js line', async (t) => {
  const cases: Array<[string, string]> = [
    ['{"a": 1,}', 'line 1, column 9: unexpected "}"'],
    ['{\n  "a": [1 2]\n}', 'line 2, column 11: unexpected "2"'],
    ['[1, 2', 'line 1, column 6: unexpected end of the text'],
    ['{"a": tru}', 'line 1, column 10: unexpected "}"'],
    ['"tab\there"', 'line 1, column 5: unexpected "\\t"'],
    ['"\\x"', 'line 1, column 3: unexpected "x"'],
    ['"\\u12g4"', 'line 1, column 6: unexpected "g"'],
    ['{"a" 1}', 'line 1, column 6: unexpected "1"'],
    ['{1: 2}', 'line 1, column 2: unexpected "1"'],
    ['[] x', 'line 1, column 4: unexpected "x"'],
    ['-', 'line 1, column 1: unexpected "-"'],
    ['"\\u12', 'line 1, column 6: unexpected end of the text'],
    ['"\\', 'line 1, column 3: unexpected end of the text']
  ]
  for (const [text, message] of cases) t.equal(jsonSyntaxMessage(text, new Error('V8')), message, JSON.stringify(text))
})

t.test('nesting past the stack: V8\'s own message, one line', async (t) => {
  const deep = '['.repeat(200_000)
  let v8 = ''
  try { JSON.parse(deep) } catch (err) { v8 = (err as Error).message }
  t.equal(jsonSyntaxMessage(deep, new Error(`${v8}\nsecond line`)), v8)
})

t.test('problems: one per place, unions explained, at most 10 listed', async (t) => {
  const schema = Type.Object({
    kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    x: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    s: Type.Optional(Type.String({ minLength: 2, maxLength: 3 })),
    p: Type.Optional(Type.String({ pattern: '^a+$' })),
    b: Type.Optional(Type.Boolean()),
    l: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: 2 })),
    o: Type.Optional(Type.Object({})),
    c: Type.Optional(Type.Literal(true)),
    v: Type.Optional(Type.Union([Type.Object({ on: Type.Boolean() }, { additionalProperties: false }), Type.String()]))
  }, { additionalProperties: false })
  const problems = (value: unknown) => formatProblems(...Object.values(problemsOf(Value.Errors(schema, value))) as [never, number])
  t.equal(problems({ kind: 'c' }), '/kind: must be one of a, b')
  t.equal(problems({ kind: 'a', n: 0, x: 2, s: 'x', p: 'b', b: 1, l: [], o: 1, c: false }),
    '/n: must be >= 1; /x: must be <= 1; /s: must be at least 2 characters; /p: must match ^a+$; /b: must be true or false; /l: must have at least 1 items; /o: must be an object; /c: must be true')
  t.equal(problems({ kind: 'a', n: 9, x: -1, s: 'long', l: ['a', 'b', 'c'], p: 1 }), '/n: must be <= 5; /x: must be >= 0; /s: must be at most 3 characters; /p: must be a string; /l: must have at most 2 items')
  t.equal(problems({ kind: 'a', n: 'x', x: 'y' }), '/n: must be an integer; /x: must be a number')
  t.equal(problems({ kind: 'a', l: 'x' }), '/l: must be an array')
  t.equal(problems({ kind: 'a', v: 5 }), '/v: must be one of {on}, string')
  t.equal(problems({ kind: 'a', v: { on: 1 } }), '/v/on: must be true or false')
  t.equal(problems({ kind: 'a', v: { off: 1 } }), '/v: must be one of {on}, string')
  t.equal(problems({}), '/kind: is required')
  t.equal(problems(null), '/: must be an object')
  // Variants that know as many of the value's fields: the one with fewer errors, in either order.
  const a = Type.Object({ on: Type.Boolean() })
  const b = Type.Object({ on: Type.Integer(), extra: Type.String(), more: Type.Optional(Type.String()) })
  for (const union of [Type.Union([a, b]), Type.Union([b, a])]) {
    t.same(problemsOf(Value.Errors(union, { on: 'x' })).problems, [{ path: '/on', message: 'must be true or false' }])
    t.same(problemsOf(Value.Errors(union, { on: 'x', more: 1 })).problems, [{ path: '/extra', message: 'is required' }, { path: '/on', message: 'must be an integer' }, { path: '/more', message: 'must be a string' }], 'the one that knows more fields')
  }
  t.same(problemsOf(Value.Errors(Type.Union([Type.Object({ x: Type.Optional(Type.String()) }, { additionalProperties: false }), Type.Integer()]), 'v')).problems,
    [{ path: '', message: 'must be one of {x?}, integer' }])
  const record = Type.Record(Type.String({ pattern: '^[a-z]+$' }), Type.String(), { additionalProperties: false })
  t.same(problemsOf(Value.Errors(record, { A: 'x' })).problems, [{ path: '/A', message: 'must be an allowed name' }])
  const many = Type.Array(Type.Integer(), {})
  const { problems: listed, more } = problemsOf(Value.Errors(many, Array.from({ length: 13 }, () => 'x')))
  t.equal(listed.length, 10)
  t.equal(more, 3)
  t.equal(formatProblems(listed, more).endsWith('; and 3 more'), true)
})
