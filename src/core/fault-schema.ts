import { Type, type Static } from '@sinclair/typebox'
import { OperationSchema } from './api-schema.js'
import { LIMITS, worded } from './limits.js'

export const FaultMatchSchema = Type.Object({
  operation: Type.Optional(OperationSchema),
  method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('DELETE')])),
  project_id: Type.Optional(Type.String({ maxLength: 64 })),
  cluster_id: Type.Optional(Type.String({ maxLength: 64 }))
}, { additionalProperties: false, description: 'Which requests the rule applies to; an absent field matches any.' })

/** Headers a fault may not set: they frame, encode or name the answer, or belong to one hop. */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'content-encoding', 'connection', 'keep-alive',
  'proxy-connection', 'upgrade', 'trailer', 'te', 'x-request-id'])

export const FaultErrorSchema = Type.Object({
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  error_code: Type.String({ minLength: 1, maxLength: LIMITS.faultErrorCode.value }),
  error_msg: Type.String({ maxLength: LIMITS.faultErrorMsg.value }),
  headers: Type.Optional(Type.Record(
    Type.String({ pattern: `^[!#$%&'*+.^_\`|~0-9A-Za-z-]{1,${LIMITS.faultHeaderName.value}}$` }),
    Type.String({ maxLength: LIMITS.faultHeaderValue.value, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$', 'x-expected': 'a header value without control characters' }),
    {
      additionalProperties: false,
      maxProperties: LIMITS.faultHeaders.value,
      'x-expected-name': `a header name (letters, digits and !#$%&'*+.^_\`|~-, at most ${LIMITS.faultHeaderName.value})`,
      description: `Up to ${LIMITS.faultHeaders.value} headers to add to the answer, e.g. {"Retry-After": "3"} (not Content-Length, Transfer-Encoding, Content-Encoding, Connection or X-Request-Id).`
    })),
  delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.faultDelay.value, description: `Wait this long (at most ${worded(LIMITS.faultDelay)}), then answer the error.` }))
}, { additionalProperties: false, description: 'Answer this error instead of the operation.' })

export const FaultActionSchema = Type.Union([
  FaultErrorSchema,
  Type.Object({
    delay_ms: Type.Integer({ minimum: 0, maximum: LIMITS.faultDelay.value })
  }, { additionalProperties: false, description: 'Wait, then answer normally.' }),
  Type.Object({
    drop: Type.Literal(true)
  }, { additionalProperties: false, description: 'Close the connection without answering.' })
])

/** A fault rule's id: 1 to 64 letters, digits, underscores or hyphens. */
export const FAULT_ID = { pattern: '[A-Za-z0-9_-]', maxLength: LIMITS.idLength.value, words: `1 to ${LIMITS.idLength.value} letters, digits, underscores or hyphens` } as const
const faultId = (options: object = {}) => Type.String({ pattern: `^${FAULT_ID.pattern}{1,${FAULT_ID.maxLength}}$`, 'x-expected': FAULT_ID.words, ...options })

/** A fault rule as clients send it. */
export const FaultRuleSchema = Type.Object({
  id: Type.Optional(faultId({ description: 'Its name, to find it in the journal and delete it; default: a random UUID (fixture rules: fixture-1, fixture-2, … by position).' })),
  match: Type.Optional(FaultMatchSchema),
  action: FaultActionSchema,
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'Let the first N matching requests through (default 0).' })),
  times: Type.Optional(Type.Integer({ minimum: 1, description: 'How many times it acts; absent: until deleted. A used-up rule stays listed.' })),
  probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'The chance it acts on a matching request it could act on (default 1).' }))
}, { additionalProperties: false })

export type FaultRule = Static<typeof FaultRuleSchema>
export type FaultAction = Static<typeof FaultActionSchema>

/** What a schema cannot say of a rule: the headers it may not set. */
export function faultRuleProblem (rule: FaultRule): { path: string, reason: string } | undefined {
  const headers = 'status' in rule.action ? rule.action.headers ?? {} : {}
  const framing = Object.keys(headers).find((name) => FRAMING_HEADERS.has(name.toLowerCase()))
  return framing === undefined ? undefined : { path: `action/headers/${framing}`, reason: `a fault may not set ${framing}` }
}

/** An installed rule: as sent, with its id and its counters. */
export const InstalledFaultSchema = Type.Composite([FaultRuleSchema, Type.Object({
  id: Type.String(),
  hits: Type.Integer({ description: 'Matching requests seen.' }),
  acted: Type.Integer({ description: 'Requests it acted on.' })
})])
export type InstalledFault = Static<typeof InstalledFaultSchema>

/** A rule as `GET /_emulator/faults` shows it: with what is left of `times`. */
export const ListedFaultSchema = Type.Composite([InstalledFaultSchema, Type.Object({
  remaining: Type.Union([Type.Integer(), Type.Null()], { description: 'What is left of times; null when unlimited. A used-up rule (0) stays listed until deleted.' })
})])
export type ListedFault = Static<typeof ListedFaultSchema>
