import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { buildApp, type BuildOptions } from '../src/app.js'

/** The documentation's example: project, cluster and request. */
export const PROJECT = 'ff8080828997cb24018a1b2db3440b80'
export const CLUSTER = 'f7f45c04-4303-411c-9b71-d2cb730dd162'
export const DOC_EXAMPLE_BODY = { group_names: ['groups1'], user_names: ['user1', 'user2'] }
/** Other clusters of the bundled fixtures. */
export const SYNCED_CLUSTER = '3c1a4b92-6f0e-4d5a-8e21-7b9d0c4f5a10'
export const ABNORMAL_CLUSTER = '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b'
export const STOPPED_CLUSTER = 'b52e0f7d-1c3a-4f6b-a8d9-e0c1b2a3f4d5'
export const OTHER_PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'

export const TOKEN = { 'x-auth-token': 'any-token' }
export const JSON_HEADERS = { ...TOKEN, 'content-type': 'application/json' }

export const userPath = (project = PROJECT, cluster = CLUSTER) => `/v2/${project}/clusters/${cluster}/iam-sync-user`
export const syncPath = (project = PROJECT, cluster = CLUSTER) => `/v2/${project}/clusters/${cluster}/iam-sync`
export const synchronousPath = (project = PROJECT, cluster = CLUSTER) => `/v2/${project}/clusters/${cluster}/iam-sync/is-synchronous`

/** A fake clock: `clock.now` to inject, `clock.advance(ms)` to move it. */
export function fakeClock (start = 1_700_000_000_000) {
  let time = start
  return { now: () => time, advance: (ms: number) => { time += ms } }
}

/** Builds the app on the bundled fixtures (unless told otherwise) and closes it after the test. */
export async function build (t: Test, options: BuildOptions = {}) {
  const app = await buildApp(options)
  t.teardown(() => app.close())
  return app
}

/** A new temporary folder, removed after the test. */
export async function tempDir (t: Test, prefix = 'mrs-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}
