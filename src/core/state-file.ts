import { open, readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Fixture } from './fixture-schema.js'
import { FixtureError, parseFixture } from './fixtures.js'

/** Reads the state file: undefined when it does not exist yet; a FixtureError when it cannot be used. */
export async function readStateFile (file: string): Promise<Fixture | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new FixtureError(file, '', `cannot read the state file: ${(err as NodeJS.ErrnoException).code}`)
  }
  return parseFixture(text, file)
}

async function fsyncPath (path: string, flags: string, data?: string): Promise<void> {
  const handle = await open(path, flags)
  try {
    if (data !== undefined) await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes the world to the state file so that a crash never leaves it torn: the whole text
 * goes to a temporary file beside it, is synced, and replaces the file by rename; then the
 * folder is synced so the rename itself survives a power cut.
 *
 * Writes are grouped: `save()` answers once a write has completed that started after the
 * call, and callers that arrive during a write share the next one. Requests that change
 * nothing never call it.
 */
export interface StateSource {
  /** Grows with every change. */
  readonly version: number
  dump (): Fixture
}

export class StateFile {
  readonly #file: string
  readonly #source: StateSource
  #running: Promise<void> | undefined
  #queued: Promise<void> | undefined
  #savedVersion: number

  /** `source` is taken as already saved: it was just loaded from the file or the fixtures. */
  constructor (file: string, source: StateSource) {
    this.#file = file
    this.#source = source
    this.#savedVersion = source.version
  }

  get file (): string { return this.#file }
  /** Whether the source changed since the last completed write. */
  get dirty (): boolean { return this.#source.version !== this.#savedVersion }

  save (): Promise<void> {
    if (this.#queued !== undefined) return this.#queued
    if (this.#running === undefined) return this.#start()
    this.#queued = this.#running.catch(() => {}).then(() => {
      this.#queued = undefined
      return this.#start()
    })
    return this.#queued
  }

  #start (): Promise<void> {
    // Compact: written on every change; GET /_emulator/state is there for reading it.
    const text = `${JSON.stringify(this.#source.dump())}\n`
    const version = this.#source.version
    this.#running = this.#write(text)
      .then(() => { this.#savedVersion = Math.max(this.#savedVersion, version) })
      .finally(() => { this.#running = undefined })
    return this.#running
  }

  async #write (text: string): Promise<void> {
    const temp = `${this.#file}.${process.pid}.tmp`
    await fsyncPath(temp, 'w', text)
    await rename(temp, this.#file)
    await fsyncPath(dirname(this.#file), 'r')
  }
}
