import type { TSchema } from '@sinclair/typebox'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'

/** One thing wrong with a value: where (a JSON pointer, '' for the whole) and what. */
export interface Problem {
  path: string
  message: string
}

/** At most this many problems are listed; the rest are counted. */
export const MAX_PROBLEMS = 10

/** `a, b, c` of the allowed values of a union of literals; undefined for other schemas. */
export function allowedValues (schema: TSchema): string | undefined {
  const variants = schema.anyOf as TSchema[] | undefined
  if (variants === undefined || !variants.every((variant) => 'const' in variant)) return undefined
  return variants.map((variant) => String(variant.const)).join(', ')
}

/** How a union of objects is told apart: the fields of each variant (`?` when optional). */
function variantShape (schema: TSchema): string {
  const properties = schema.properties as Record<string, TSchema> | undefined
  if (properties === undefined) return String(schema.type)
  const required = new Set<string>(schema.required ?? [])
  return `{${Object.keys(properties).map((key) => required.has(key) ? key : `${key}?`).join(', ')}}`
}

/** What a value that failed `error` must be instead, in words a person can act on. */
export function messageOf (error: ValueError): string {
  const { schema, value } = error
  switch (error.type) {
    case ValueErrorType.Union: {
      const values = allowedValues(schema)
      if (values !== undefined) return `must be one of ${values}`
      return `must be one of ${(schema.anyOf as TSchema[]).map(variantShape).join(', ')}`
    }
    case ValueErrorType.ObjectAdditionalProperties:
      // A record's keys follow a pattern, said in words by `x-expected-name`.
      if (schema.properties === undefined) return `must be ${String(schema['x-expected-name'] ?? 'an allowed name')}`
      return `unknown field; the allowed ones are ${Object.keys(schema.properties as object).join(', ')}`
    case ValueErrorType.ObjectMaxProperties:
      return `must have at most ${schema.maxProperties} entries`
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required'
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(schema.const)}`
    case ValueErrorType.Integer:
      return 'must be an integer'
    case ValueErrorType.Number:
      return 'must be a number'
    case ValueErrorType.String:
      return 'must be a string'
    case ValueErrorType.Boolean:
      return 'must be true or false'
    case ValueErrorType.Array:
      return 'must be an array'
    case ValueErrorType.Object:
      return 'must be an object'
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be >= ${schema.minimum}`
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be <= ${schema.maximum}`
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`
    case ValueErrorType.StringMaxLength:
      return `must be at most ${schema.maxLength} characters`
    case ValueErrorType.StringPattern:
      if (value === '') return 'must not be empty'
      // `x-expected`: the pattern in words (an extension keyword, so that the OpenAPI document stays valid).
      return typeof schema['x-expected'] === 'string' ? `must be ${schema['x-expected']}` : `must match ${schema.pattern}`
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${schema.maxItems} items`
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${schema.minItems} items`
    /* c8 ignore next 2 -- every keyword the emulator's schemas use is named above */
    default:
      return error.message
  }
}

/**
 * The errors of a union of objects, from the variant the value was most likely meant to be:
 * the one that knows most of the value's fields (then the one with the fewest errors). None
 * when the value shares no field with any variant: the union's own message says what it takes.
 */
function closestVariant (error: ValueError): ValueError[] | undefined {
  if (allowedValues(error.schema) !== undefined || typeof error.value !== 'object' || error.value === null) return undefined
  const keys = Object.keys(error.value as object)
  let best: { known: number, errors: ValueError[] } | undefined
  error.errors.forEach((iterator, i) => {
    const properties = (error.schema.anyOf as TSchema[])[i]!.properties as object | undefined
    const known = properties === undefined ? 0 : keys.filter((key) => key in properties).length
    const errors = [...iterator]
    if (known > 0 && (best === undefined || known > best.known || (known === best.known && errors.length < best.errors.length))) best = { known, errors }
  })
  return best?.errors
}

/** Every problem of `errors` (one per path, unions explained), up to MAX_PROBLEMS; `more` counts the rest. */
export function problemsOf (errors: Iterable<ValueError>): { problems: Problem[], more: number } {
  const problems: Problem[] = []
  const paths = new Set<string>()
  let more = 0
  const add = (error: ValueError): void => {
    const variant = error.type === ValueErrorType.Union ? closestVariant(error) : undefined
    if (variant !== undefined) {
      variant.forEach(add)
      return
    }
    // One problem per place: a missing field is also "not an array", say.
    if (paths.has(error.path)) return
    paths.add(error.path)
    if (problems.length < MAX_PROBLEMS) problems.push({ path: error.path, message: messageOf(error) })
    else more++
  }
  for (const error of errors) add(error)
  return { problems, more }
}

/** `/a: must be …; /b: is required` (`/` for the whole value), and how many more there are. */
export function formatProblems (problems: readonly Problem[], more = 0): string {
  const text = problems.map(({ path, message }) => `${path === '' ? '/' : path}: ${message}`).join('; ')
  return more === 0 ? text : `${text}; and ${more} more`
}
