import type { FastifySchemaCompiler } from 'fastify'
import type { TObject, TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import { CLUSTER_ID_RULE } from '../core/api-schema.js'
import { controlInvalid, iamBodyInvalid, iamBodyMissing, iamFieldInvalid, iamFieldMissing, invalidParameter, invalidProjectId, keystoneBodyInvalid, keystoneParameterInvalid, shorten } from '../core/errors.js'
import { IAM_ERRORS, type IamFace } from '../core/iam-schema.js'
import { formatProblems, problemsOf } from '../core/problems.js'
import { InvalidBody } from './body.js'

/**
 * TypeBox's compiled check, compiled on its first use: a start compiles none of the ~60 route
 * schemas (a fifth of the start's work), and a first request compiles only its own.
 */
function compiled (schema: TSchema): () => TypeCheck<TSchema> {
  let check: TypeCheck<TSchema> | undefined
  return () => (check ??= TypeCompiler.Compile(schema))
}

/** `/user_names/3` → `user_names[3]`: the field as a user would name it. */
function fieldName (path: string): string {
  return path.slice(1).replace(/\/(\d+)/g, '[$1]').replaceAll('/', '.')
}

function bodyMessage (error: ValueError): string {
  const field = fieldName(error.path)
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return `Unknown field '${shorten(field)}': the body takes only ${Object.keys(error.schema.properties).join(', ')}.`
    case ValueErrorType.ArrayMaxItems:
      return `${field} must NOT have more than ${error.schema.maxItems} items`
    default:
      return `${field || 'body'} is invalid: ${error.message.toLowerCase()}`
  }
}

function paramsError (params: Record<string, string>, name: string) {
  if (name === 'project_id') return invalidProjectId(String(params.project_id))
  return invalidParameter(`Invalid cluster_id: '${shorten(String(params.cluster_id))}'. It must be ${CLUSTER_ID_RULE}.`)
}

/** The control plane lists every problem (up to 10) with its JSON path, with its own code. */
function controlError (httpPart: string, errors: Iterable<ValueError>) {
  const { problems, more } = problemsOf(errors)
  return controlInvalid(`Invalid ${httpPart}: ${formatProblems(problems, more)}.`)
}

/**
 * The emulated API's validator: TypeBox's compiler instead of Fastify's default Ajv, whose
 * options coerce types (`[1]` becomes `["1"]`) and strip unknown properties: the real API
 * rejects both. Every failure becomes the API's error: 12000107 for the project, 12000002 for the rest.
 */
export const apiValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const face = (schema as { [IAM_ERRORS]?: IamFace })[IAM_ERRORS]
  if (face !== undefined) return httpPart === 'body' ? iamBodyValidator(schema, face) : iamQueryValidator(schema as TObject)
  return httpPart === 'body' ? bodyValidator(schema) : paramsValidator(schema as TObject)
}

/**
 * IAM's bodies, in IAM's words: Keystone's "The request body is invalid" on `/v3` (with the
 * field and the reason after it), the `IAM.110x` messages on `/v3.0`.
 */
function iamBodyValidator (schema: TSchema, face: IamFace) {
  const check = compiled(schema)
  return (data: unknown) => {
    if (data === null) {
      return { error: face === 'keystone' ? keystoneBodyInvalid('a JSON body is required') : iamBodyMissing() }
    }
    if (data instanceof InvalidBody) return { error: face === 'keystone' ? keystoneBodyInvalid(data.reason[0]!.toLowerCase() + data.reason.slice(1)) : iamBodyInvalid(data.reason) }
    if (check().Check(data)) return true
    const first = check().Errors(data).First()!
    const field = fieldName(first.path) || 'body'
    const missing = first.type === ValueErrorType.ObjectRequiredProperty
    if (face === 'keystone') return { error: keystoneBodyInvalid(missing ? `${field} is required` : `${field} is invalid: ${first.message.toLowerCase()}`) }
    return {
      error: missing
        ? iamFieldMissing(field)
        : iamFieldInvalid(field, `${first.message.toLowerCase()}.`)
    }
  }
}

/** IAM's query parameters: text as the schema's booleans and integers; a bad one is named (IAM.0007, Keystone's shape). */
function iamQueryValidator (schema: TObject) {
  const properties = Object.entries(schema.properties).map(([name, property]) => [name, property.type as string, compiled(property)] as const)
  return (input: unknown) => {
    const query = input as Record<string, unknown>
    for (const [name, type, check] of properties) {
      const text = query[name]
      if (text === undefined) continue
      if (type === 'boolean' && (text === 'true' || text === 'false')) query[name] = text === 'true'
      if (type === 'integer' && typeof text === 'string' && /^\d{1,15}$/.test(text)) query[name] = Number(text)
      if (!check().Check(query[name])) return { error: keystoneParameterInvalid(`${name} is invalid: ${shorten(String(text))}`) }
    }
    return { value: query }
  }
}

/**
 * Query values as the schema's numbers: whole numbers only for integers (`limit=2.9` stays text,
 * and is refused as not an integer, rather than becoming 2).
 */
function queryNumbers (schema: TObject) {
  const integers = Object.entries(schema.properties).filter(([, property]) => property.type === 'integer').map(([name]) => name)
  return (data: unknown) => {
    const query = data as Record<string, unknown>
    for (const name of integers) {
      const text = query[name]
      if (typeof text === 'string' && /^-?\d{1,15}$/.test(text)) query[name] = Number(text)
    }
    return query
  }
}

/** The control plane's validator: the same compiler, its own code, the part and field named. */
export const controlValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = compiled(schema)
  // Query values arrive as text: `?status=500&limit=5` are numbers to the schema.
  const convert = httpPart === 'querystring' ? queryNumbers(schema as TObject) : (data: unknown) => data
  return (input: unknown) => {
    if (httpPart === 'body' && input === null) return { error: controlInvalid('Invalid body: a JSON body is required.') }
    if (input instanceof InvalidBody) return { error: controlInvalid(input.reason) }
    const data = convert(input)
    return check().Check(data) ? { value: data } : { error: controlError(httpPart!, check().Errors(data)) }
  }
}

function bodyValidator (schema: TSchema) {
  const check = compiled(schema)
  return (data: unknown) => {
    if (data === null) return { value: {} } // no body at all: an empty request
    if (data instanceof InvalidBody) return { error: invalidParameter(data.reason) }
    return check().Check(data) || { error: invalidParameter(bodyMessage(check().Errors(data).First()!)) }
  }
}

/**
 * The emulated API's routes validate only their path and body. The whole object is checked in
 * one compiled pass (its property reads are by name, cheaper than a loop's reads by key); when
 * it fails, each parameter is checked on its own, in order, so the first bad one is found
 * without TypeBox's error iterator.
 */
function paramsValidator (schema: TObject) {
  const whole = compiled(schema)
  const each = Object.entries(schema.properties).map(([name, property]) => [name, compiled(property)] as const)
  return (data: unknown) => {
    if (whole().Check(data)) return true
    const values = data as Record<string, string>
    const [name] = each.find(([name, check]) => !check().Check(values[name]))!
    return { error: paramsError(values, name) }
  }
}

/** Responses are written with JSON.stringify: the hot ones are pre-serialised, the rest are small. */
export const serializerCompiler = () => (data: unknown) => JSON.stringify(data)
