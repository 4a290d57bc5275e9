/**
 * The emulator's clock: the real one (or a test's) plus an offset that only moves forward, so
 * that a test can say "one hour later" to a running emulator. Sync tasks, issued tokens and the
 * journal's times follow it; signatures are judged against the real clock (clients sign with theirs).
 */
export class Clock {
  readonly real: () => number
  #offsetMs = 0
  /** The emulator's time, in ms (a bound function: handed around as `now`). */
  readonly now: () => number

  constructor (real: () => number = Date.now) {
    this.real = real
    this.now = () => this.real() + this.#offsetMs
  }

  get offsetMs (): number { return this.#offsetMs }

  /** Moves the clock forward by `ms` (never back: tasks and tokens only ever get older). */
  advance (ms: number): void {
    this.#offsetMs += ms
  }

  /** Back to an offset it had: a move whose change could not be kept. */
  restore (offsetMs: number): void {
    this.#offsetMs = offsetMs
  }

  /** Back to the real time (a reset). */
  reset (): void {
    this.#offsetMs = 0
  }
}
