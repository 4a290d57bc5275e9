import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
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

/** Writes `data` (when given) and syncs the file or folder to disk. */
function fsyncPath (path: string, flags: string, data?: string): void {
  const fd = openSync(path, flags)
  try {
    if (data !== undefined) writeFileSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes the world to the state file so that a crash never leaves it torn: the whole text
 * goes to a temporary file beside it, is synced, and replaces the file by rename; then the
 * folder is synced so the rename itself survives a power cut.
 *
 * Writes are grouped: the requests that changed the world during one turn of the event loop
 * share one write, done synchronously (about a millisecond here: eight round trips through
 * libuv's thread pool cost more than the write itself). Requests that change nothing never
 * call it.
 */
export interface StateSource {
  /** Grows with every change. */
  readonly version: number
  dump (): Fixture
}

export class StateFile {
  readonly #file: string
  readonly #source: StateSource
  #savedVersion: number
  #pending: Promise<void> | undefined

  /** `source` is taken as already saved: it was just loaded from the file or the fixtures. */
  constructor (file: string, source: StateSource) {
    this.#file = file
    this.#source = source
    this.#savedVersion = source.version
  }

  get file (): string { return this.#file }
  /** Whether the source changed since the last completed write. */
  get dirty (): boolean { return this.#source.version !== this.#savedVersion }

  /**
   * Writes the world if it changed since the last write (or always, with `force`); rejects
   * when the write fails. The write waits for the next turn of the event loop, so that the
   * requests already received join it, then runs synchronously for all of them at once.
   */
  save (force = false): Promise<void> {
    if (!force && !this.dirty) return Promise.resolve()
    this.#pending ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.#pending = undefined
        try {
          this.#write()
          resolve()
        } catch (err) {
          reject(err)
        }
      })
    })
    return this.#pending
  }

  #write (): void {
    // Compact: written on every change; GET /_emulator/state is there for reading it.
    const text = `${JSON.stringify(this.#source.dump())}\n`
    const version = this.#source.version
    const temp = `${this.#file}.${process.pid}.tmp`
    fsyncPath(temp, 'w', text)
    renameSync(temp, this.#file)
    fsyncPath(dirname(this.#file), 'r')
    this.#savedVersion = version
  }
}
