import type { SwaggerTransformObject } from '@fastify/swagger'
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify'
import { BODY_OPTIONAL, FACE_TAGS } from '../core/api-schema.js'
import { CONTROL_TAG } from '../core/control-schema.js'
import { VERSION } from '../package-info.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAPI 3 document of every route as JSON, built on its first request. */
    openapi: () => Promise<Buffer>
  }
}

/**
 * The OpenAPI document, built when it is first asked for: loading @fastify/swagger (and the
 * YAML library it loads) took ~14% of the emulator's start (a CPU profile of `node
 * dist/src/server.js`, Node 24). The routes are noted as they are registered, then replayed
 * into an instance that only documents them: no validator or serializer is compiled there.
 */
export function registerOpenApi (app: FastifyInstance): void {
  const routes: RouteOptions[] = []
  app.addHook('onRoute', (route) => { routes.push(route) })
  // Kept as its JSON: written for every request, it cost a millisecond of CPU each (138 KB).
  let document: Promise<Buffer> | undefined
  app.decorate('openapi', () => (document ??= documentOf(routes).then((built) => Buffer.from(JSON.stringify(built)))))
}

/* c8 ignore next */ // the instance that documents the routes never answers a request
const unanswered = () => {}

async function documentOf (routes: readonly RouteOptions[]): Promise<unknown> {
  const { default: swagger } = await import('@fastify/swagger')
  const scribe = Fastify({ exposeHeadRoutes: false })
  scribe.setValidatorCompiler(() => () => true)
  scribe.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await scribe.register(swagger, {
    transformObject: optionalBodies as SwaggerTransformObject,
    openapi: {
      info: { title: 'mrs-emulator', version: VERSION, description: 'Huawei Cloud MRS API V2 IAM Synchronization, emulated; and the emulator\'s control plane.' },
      tags: [{ name: FACE_TAGS.mrs }, { name: FACE_TAGS.keystone, description: 'The part of IAM that clients call before MRS: project lookups, tokens, temporary keys.' }, { name: CONTROL_TAG }]
    }
  })
  for (const { method, url, schema, config } of routes) scribe.route({ method, url, schema, config, handler: unanswered })
  await scribe.ready()
  const document = scribe.swagger()
  await scribe.close()
  return document
}

/** @fastify/swagger marks every body required; this undoes it where BODY_OPTIONAL says so. */
function optionalBodies (document: object) {
  const openapiObject = (document as { openapiObject: { paths: unknown } }).openapiObject
  const paths = openapiObject.paths as Record<string, Record<string, Record<string, unknown> & { requestBody?: { required: boolean } }>>
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (operation[BODY_OPTIONAL] !== true) continue
      delete operation[BODY_OPTIONAL]
      operation.requestBody!.required = false
    }
  }
  return openapiObject
}
