// Writes dist/bundle/main.cjs: the emulator (src/main.ts and everything it imports, Fastify
// included) as one CommonJS file, which dist/src/server.js runs. One file to read and compile
// instead of ~250 modules to resolve is most of what a start costs (bench/RESULTS.md, round
// three). CommonJS, not ESM: Node's ESM facade of `node:http` reads every export, which loads
// its bundled fetch (undici) for nothing.
//
// Left outside, loaded from node_modules when needed:
// - pino and pino-pretty: pino-pretty runs in a worker that pino starts from its own files;
// - @peculiar/x509 and reflect-metadata: only the https port (--tls) needs them.
import { readFileSync, writeFileSync } from 'node:fs'
import { build } from 'esbuild'

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/bundle/main.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['pino', 'pino-pretty', '@peculiar/x509', 'reflect-metadata'],
  // package-info.ts finds the package from its own place: the bundle's, two folders down too.
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: "const __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'external',
  logLevel: 'warning'
})

// esbuild writes strings and identifiers in ASCII, but keeps the comments it keeps as they are:
// one character past Latin-1 in one of them makes V8 hold the whole 2.3 MB source as UTF-16
// (+2.3 MiB of heap, for as long as the process runs). Escaped, a comment reads the same.
const bundle = 'dist/bundle/main.cjs'
const text = readFileSync(bundle, 'utf8')
// eslint-disable-next-line no-control-regex
const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
if (ascii !== text) writeFileSync(bundle, ascii)
