import { Type, type Static } from '@sinclair/typebox'
import { OperationSchema } from './api-schema.js'

export const FaultMatchSchema = Type.Object({
  operation: Type.Optional(OperationSchema),
  method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('DELETE')])),
  project_id: Type.Optional(Type.String()),
  cluster_id: Type.Optional(Type.String())
}, { additionalProperties: false, description: 'Which requests the rule applies to; an absent field matches any.' })

export const FaultActionSchema = Type.Union([
  Type.Object({
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    error_code: Type.String({ minLength: 1 }),
    error_msg: Type.String()
  }, { additionalProperties: false, description: 'Answer this error instead of the operation.' }),
  Type.Object({
    delay_ms: Type.Integer({ minimum: 0, maximum: 600_000 })
  }, { additionalProperties: false, description: 'Wait, then answer normally.' }),
  Type.Object({
    drop: Type.Literal(true)
  }, { additionalProperties: false, description: 'Close the connection without answering.' })
])

/** A fault rule as clients send it. */
export const FaultRuleSchema = Type.Object({
  match: Type.Optional(FaultMatchSchema),
  action: FaultActionSchema,
  times: Type.Optional(Type.Integer({ minimum: 1, description: 'How many matching requests it applies to; absent: until deleted.' })),
  probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'The chance it applies to a matching request (default 1).' }))
}, { additionalProperties: false })

export type FaultRule = Static<typeof FaultRuleSchema>
export type FaultAction = Static<typeof FaultActionSchema>
