#!/usr/bin/env node
import { existsSync } from 'node:fs'
import module, { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

// The process that started this one, read before the rest loads (a few hundred milliseconds,
// then the world): a parent gone meanwhile, such as an npx killed by a script that stopped
// waiting, is then seen as gone (orphan.ts).
const parent = process.ppid

// A start is mostly reading and compiling JavaScript. Node's compile cache keeps the compiled
// code (in the system's temporary folder, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1
// turns it off), and the build's bundle (scripts/bundle.mjs) is one file instead of ~250
// modules. The modules run instead when coverage is measured (Node's NODE_V8_COVERAGE, or the
// test runner's own), so that it maps to the sources, or when there is no bundle (tsc alone).
const covered = process.env.NODE_V8_COVERAGE !== undefined || process.env._TAPJS_PROCESSINFO_COVERAGE_ === '1'
const bundle = fileURLToPath(new URL('../bundle/main.cjs', import.meta.url))
type Main = typeof import('./main.js')
/* c8 ignore next 5 */ // the bundle and the cache run only where coverage is not measured: test/e2e/bundle.test.ts runs them
// Not under coverage either: code read from the cache loses its block counts. Node 22.8 and later.
if (!covered) module.enableCompileCache?.()
const { main }: Main = !covered && existsSync(bundle)
  ? createRequire(import.meta.url)(bundle) as Main
  : await import('./main.js')
await main(parent)
