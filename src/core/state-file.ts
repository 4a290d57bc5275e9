import * as nodeFs from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Fixture } from './fixture-schema.js'
import { FixtureError, parseFixture } from './fixtures.js'
import { describeFsError } from './fs-errors.js'

export { describeFsError }

/**
 * Reads the state file: undefined when it does not exist yet, or is empty (made by `touch` for
 * a single-file bind mount); a FixtureError when it cannot be used.
 */
export async function readStateFile (file: string): Promise<Fixture | undefined> {
  let text: string
  try {
    // A device, FIFO, socket or folder at the path is never read (a FIFO would block the start)
    // nor replaced by the first write: the start stops.
    const kind = kindOf(await stat(file))
    if (kind !== undefined) throw new FixtureError(file, [{ path: '', message: `the state file must be a regular file, and this is ${kind}: the emulator neither reads nor replaces it` }])
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (err instanceof FixtureError) throw err
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new FixtureError(file, [{ path: '', message: `cannot read the state file: ${describeFsError(err)}` }])
  }
  if (text.trim() === '') return undefined
  return parseFixture(text, file)
}

/** What a path that is not a regular file is, in words; undefined for a regular file. */
function kindOf (stats: nodeFs.Stats): string | undefined {
  if (stats.isFile()) return undefined
  if (stats.isDirectory()) return 'a folder'
  if (stats.isFIFO()) return 'a FIFO'
  if (stats.isSocket()) return 'a socket'
  return 'a device'
}

/** The file-system calls a state file makes; tests inject ones that fail. */
export type StateFs = Pick<typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'ftruncateSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'realpathSync' | 'readlinkSync' | 'lstatSync' | 'readdirSync'>

/**
 * The temporary files beside the state file that a process killed mid-write left (`<file>.<pid>.tmp`):
 * removed at the next start. Nothing is lost with them: the file itself was never torn.
 */
function removeLeftTemps (target: string, fs: StateFs): void {
  const name = basename(target)
  let entries: string[]
  try {
    entries = fs.readdirSync(dirname(target))
  } catch {
    return // an unreadable folder: the write at start says what is wrong with it
  }
  for (const entry of entries) {
    if (!entry.startsWith(`${name}.`) || !/^\.\d+\.tmp$/.test(entry.slice(name.length))) continue
    try { fs.unlinkSync(join(dirname(target), entry)) } catch {} // gone already, or not ours to remove
  }
}

/** What the state file holds: the world, and a version that grows with every change. */
export interface StateSource {
  readonly version: number
  dump: () => Fixture
  /** Puts the world back as it was last written (after a failed write). */
  replace: (fixture: Fixture) => void
}

/** A write of the state file failed: the change that needed it was not kept. */
export class StateFileError extends Error {
  override name = 'StateFileError'
  readonly file: string
  readonly code: string | undefined
  /** Set once a log line has said it, so that the requests of one grouped write log it once. */
  logged = false
  constructor (file: string, cause: unknown) {
    // Writes create their file: what is missing is the folder.
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT (the folder does not exist)' : describeFsError(cause)
    super(`cannot write the state file ${file}: ${reason}`, { cause })
    this.file = file
    this.code = (cause as NodeJS.ErrnoException).code
  }
}

/** Errors of a folder that refuses a new file, where the file itself may still be written. */
const FOLDER_REFUSED: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS'])

/** Where writes go: through a symlink (even a dangling one) to its target, so that the link stays. */
function targetOf (file: string, fs: StateFs): string {
  let path = resolve(file)
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!fs.lstatSync(path).isSymbolicLink()) return path
    } catch {
      return path // absent: the write creates it
    }
    try {
      return fs.realpathSync(path)
    } catch {
      path = resolve(dirname(path), fs.readlinkSync(path, 'utf8')) // dangling: follow one link
    }
  }
  throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' })
}

/**
 * The world's copy on disk, which never says more than was written. A change is kept only once
 * written: until then every answer waits (`save`), and when the write fails the world goes back
 * to the last text written and the waiting answers report the failure.
 *
 * A write cannot leave a torn file: the text goes to a temporary file beside the target, is
 * synced, and replaces the target by rename; then the folder is synced so that the rename
 * survives a power cut. A failed write removes its temporary file. Where rename cannot replace
 * the file (`EBUSY`: a single-file bind mount, as Docker and Kubernetes make them), or the
 * folder refuses a file beside it while the file exists (a single-file mount in a read-only
 * folder), the text is written in place and synced; should that write fail, the previous text
 * is put back.
 *
 * Writes are grouped: the requests that changed the world during one turn of the event loop
 * share one write, done synchronously (about a millisecond here: eight round trips through
 * libuv's thread pool cost more than the write itself), and a failure rolls them back together.
 */
export class StateFile {
  readonly #file: string
  readonly #target: string
  readonly #source: StateSource
  readonly #fs: StateFs
  #savedVersion: number
  #savedText: string
  #inPlace = false
  #pending: Promise<void> | undefined

  /**
   * `source` is taken as the world to keep; `writeNow` writes it at once (and throws a
   * StateFileError if it cannot), which proves at start that the file can be written.
   */
  constructor (file: string, source: StateSource, fs: StateFs = nodeFs) {
    this.#file = file
    this.#source = source
    this.#fs = fs
    try {
      this.#target = targetOf(file, fs)
    } catch (err) {
      throw new StateFileError(file, err)
    }
    removeLeftTemps(this.#target, fs)
    this.#savedText = this.#text()
    this.#savedVersion = source.version
  }

  get file (): string { return this.#file }
  /** Whether the world changed since the last completed write. */
  get dirty (): boolean { return this.#source.version !== this.#savedVersion }

  /** Writes the world now: at start, proving the place writable. */
  writeNow (): void {
    this.#write(this.#savedText)
  }

  /**
   * Writes the world if it changed since the last write; rejects with a StateFileError, the
   * world rolled back, when the write fails. The write waits for the next turn of the event
   * loop, so that the requests already received join it, then runs for all of them at once.
   */
  save (): Promise<void> {
    if (!this.dirty) return Promise.resolve()
    this.#pending ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.#pending = undefined
        try {
          this.#write(this.#text())
          resolve()
        } catch (err) {
          // Back to what was last written (and so last reported as done).
          this.#source.replace(JSON.parse(this.#savedText) as Fixture)
          this.#savedVersion = this.#source.version
          reject(err)
        }
      })
    })
    return this.#pending
  }

  /** Compact: written on every change; GET /_emulator/state is there for reading it. */
  #text (): string {
    return `${JSON.stringify(this.#source.dump())}\n`
  }

  #write (text: string): void {
    const version = this.#source.version
    try {
      if (this.#inPlace) this.#writeInPlace(text)
      else this.#replaceByRename(text)
    } catch (err) {
      throw new StateFileError(this.#file, err)
    }
    this.#savedText = text
    this.#savedVersion = version
  }

  #replaceByRename (text: string): void {
    const fs = this.#fs
    const temp = `${this.#target}.${process.pid}.tmp`
    let step = 'temp'
    try {
      this.#sync(temp, 'w', text)
      step = 'rename'
      fs.renameSync(temp, this.#target)
    } catch (err) {
      try { fs.unlinkSync(temp) } catch {} // it may never have been created
      const code = (err as NodeJS.ErrnoException).code!
      // A file that is a mount point cannot be replaced (EBUSY); a writable file in a folder that
      // is not (a single-file mount in a read-only root) cannot have a file beside it.
      const inPlace = step === 'rename' ? code === 'EBUSY' : FOLDER_REFUSED.has(code) && this.#exists()
      if (!inPlace) throw err
      this.#writeInPlace(text)
      this.#inPlace = true
      return
    }
    this.#sync(dirname(this.#target), 'r')
  }

  #exists (): boolean {
    try {
      this.#fs.lstatSync(this.#target)
      return true
    } catch {
      return false
    }
  }

  #writeInPlace (text: string): void {
    try {
      this.#sync(this.#target, 'r+', text)
    } catch (err) {
      // A part of the new text may have been written over the old: put the old one back. It
      // fits where it was (best effort: the disk is failing).
      try { this.#sync(this.#target, 'r+', this.#savedText) } catch {}
      throw err
    }
  }

  /** Opens `path`, writes `text` over its start and cuts it there (when given), syncs, closes. */
  #sync (path: string, flags: string, text?: string): void {
    const fs = this.#fs
    const fd = fs.openSync(path, flags)
    try {
      if (text !== undefined) {
        const bytes = Buffer.from(text)
        let written = 0
        while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, written)
        if (flags === 'r+') fs.ftruncateSync(fd, bytes.length)
      }
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  }
}
