import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { OPERATIONS } from '../../src/core/api-schema.js'
import { adminTokenRequired, controlNotFound, internalError } from '../../src/core/errors.js'
import { FAULT_ID, FaultErrorSchema } from '../../src/core/fault-schema.js'
import { LIMITS } from '../../src/core/limits.js'
import { COMMIT, UI_DIR, VERSION, versionBadge } from '../../src/package-info.js'
import { ControlErrorSchema } from '../../src/core/control-schema.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8'
}

/** The page may load its own files and call its own origin only. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

interface Asset { body: Buffer, type: string, etag: string }

/**
 * The dashboard's few files (a page, its modules, a style sheet: src/ui/, copied next to the
 * compiled code), read once when the app is built and served from memory with an ETag. A
 * static-file plugin would bring a file-system walk and a send pipeline for a dozen small files
 * that never change while the emulator runs.
 */
function loadAssets (): { assets: Map<string, Asset>, page: Asset, build: string } {
  const assets = new Map<string, Asset>()
  for (const name of readdirSync(UI_DIR)) {
    const type = TYPES[extname(name)]
    /* c8 ignore next */ // src/ui holds only these types; anything else there is not served
    if (type === undefined) continue
    const body = readFileSync(join(UI_DIR, name))
    assets.set(name, { body, type, etag: etagOf(body) })
  }
  // The page names its files under a path of their build, which changes with any of them: they
  // can then be cached for good (no request at all on the next load), and a new emulator's page
  // never runs an old module.
  // What the fault form offers and allows, from the emulator's own schema: one more module.
  const bounds = Buffer.from(`// Made by the emulator from its schemas (routes/emulator/ui.ts).\nexport default ${JSON.stringify(dashboardBounds())}\n`)
  assets.set('bounds.js', { body: bounds, type: TYPES['.js']!, etag: etagOf(bounds) })
  const build = createHash('sha256').update([...assets.values()].map((asset) => asset.etag).join()).digest('hex').slice(0, 12)
  // What runs: the version, and the commit the build was made from.
  const html = Buffer.from(assets.get('index.html')!.body.toString('utf8').replaceAll('"ui/', `"ui/${build}/`)
    .replace('<span id="version"></span>', `<span id="version">${versionBadge(VERSION, COMMIT)}</span>`))
  return { assets, build, page: { body: html, type: TYPES['.html']!, etag: etagOf(html) } }
}

/** What the dashboard needs of the emulator's schemas: the fault form's choices and limits, two codes, the journal's wait. */
function dashboardBounds () {
  const { status, error_code: code, error_msg: message } = FaultErrorSchema.properties
  return {
    operations: OPERATIONS,
    // The page's pattern is a /v regular expression: a class's final hyphen escaped.
    faultId: { pattern: `${FAULT_ID.pattern.replace(/-\]$/, '\\-]')}+`, maxLength: FAULT_ID.maxLength, rule: `A rule id is ${FAULT_ID.words}.` },
    status: { min: status.minimum, max: status.maximum },
    errorCodeMaxLength: code.maxLength,
    errorMsgMaxLength: message.maxLength,
    delayMax: LIMITS.faultDelay.value,
    // The error the form suggests, and the answer that means the admin token is needed.
    defaultError: { code: internalError().code, message: internalError().message },
    tokenRequiredCode: adminTokenRequired().code,
    // The page long-polls the journal for a little less than the longest wait it may ask for.
    journalWaitMs: LIMITS.journalWait.value - 5000
  }
}

const etagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
const FOREVER = 'max-age=31536000, immutable'

function serve (request: FastifyRequest, reply: FastifyReply, asset: Asset, cache = 'no-cache'): void {
  reply.header('etag', asset.etag).header('cache-control', cache).header('x-content-type-options', 'nosniff')
  if (asset.type.startsWith('text/html')) reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer')
  if (request.headers['if-none-match'] === asset.etag) reply.code(304).send()
  else reply.type(asset.type).send(asset.body)
}

/**
 * The dashboard, `GET /_emulator/ui`: open without the admin token (it holds no data; the page
 * asks for the token before it calls anything else).
 */
export const uiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { assets, page, build } = loadAssets()

  app.get('/ui', {
    schema: {
      operationId: 'EmulatorDashboard',
      summary: 'The dashboard: the world, the live journal, fault rules, the clock and reset, in a browser',
      produces: ['text/html'],
      response: { 200: Type.String({ description: 'The page (text/html).' }), 304: Type.Null() }
    }
  }, (request, reply) => serve(request, reply, page))

  app.get('/ui/:file', {
    schema: {
      operationId: 'EmulatorDashboardAsset',
      summary: 'One of the dashboard\'s files (its scripts and style sheet)',
      params: Type.Object({ file: Type.String({ description: 'A file name, e.g. main.js.' }) }),
      response: { 200: Type.String({ description: 'The file (text/javascript or text/css).' }), 301: Type.Null({ description: 'index.html and the folder itself: to /_emulator/ui.' }), 304: Type.Null(), 404: ControlErrorSchema }
    }
  }, (request, reply) => {
    const name = request.params.file
    // The page lives at /_emulator/ui (its files are relative to that): other spellings go there.
    if (name === '' || name === 'index.html') {
      reply.redirect('/_emulator/ui', 301)
      return
    }
    const asset = assets.get(name)
    if (asset === undefined) throw controlNotFound(`No dashboard file ${name}.`)
    serve(request, reply, asset)
  })

  app.get('/ui/:build/:file', {
    schema: {
      operationId: 'EmulatorDashboardBuildAsset',
      summary: 'One of the dashboard\'s files, under its build (what the page loads): cached for good',
      params: Type.Object({ build: Type.String({ description: 'The build the page names.' }), file: Type.String({ description: 'A file name, e.g. main.js.' }) }),
      response: { 200: Type.String({ description: 'The file (text/javascript or text/css).' }), 304: Type.Null(), 404: ControlErrorSchema }
    }
  }, (request, reply) => {
    const { file } = request.params
    const asset = assets.get(file)
    if (asset === undefined || file === 'index.html') throw controlNotFound(`No dashboard file ${file}.`)
    // Another build's name (a page from before a restart): today's file, not to be kept.
    serve(request, reply, asset, request.params.build === build ? FOREVER : 'no-cache')
  })
}
