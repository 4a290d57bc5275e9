import { randomBytes } from 'node:crypto'

// 25 random hex digits, then 7 for a counter that starts at 16^6 and stops below 16^7, so it
// always prints as exactly 7 digits without padding. The counter stays a small integer: a
// floating-point `%` or toString(16) of a double cost ~1,700 instructions per request, more
// than the rest of the id. When it runs out, the random part is drawn again.
const FIRST = 0x100_0000
const END = 0x1000_0000
let prefix = ''
let counter = END - 1

/**
 * A request id as the real gateway writes it: 32 lowercase hex digits. A random prefix and a
 * counter: unique, and cheap on the hot path (no entropy per request).
 */
export function newRequestId (): string {
  if (++counter === END) {
    prefix = randomBytes(13).toString('hex').slice(0, 25)
    counter = FIRST
  }
  return prefix + counter.toString(16)
}
