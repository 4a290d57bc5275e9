/**
 * The emulator's clock: the real one (or a test's) plus an offset that only moves forward, so
 * that a test can say "one hour later" to a running emulator. Sync tasks, issued tokens and the
 * journal's times follow it; signatures are judged against the real clock (clients sign with theirs).
 */
export class Clock {
  readonly real: () => number
  #offsetMs = 0
  #moves = 0
  /** The emulator's time, in ms (a bound function: handed around as `now`). */
  readonly now: () => number

  constructor (real: () => number = Date.now) {
    this.real = real
    this.now = () => this.real() + this.#offsetMs
  }

  get offsetMs (): number { return this.#offsetMs }
  /** Grows with every move: the state file keeps the offset, and writes when it changed. */
  get moves (): number { return this.#moves }

  /** Moves the clock forward by `ms` (never back: tasks and tokens only ever get older). */
  advance (ms: number): void {
    this.#offsetMs += ms
    this.#moves++
  }

  /** To an offset it had: a move whose change could not be kept, a restart, a reset. */
  restore (offsetMs: number): void {
    this.#offsetMs = offsetMs
    this.#moves++
  }
}
