import { randomBytes } from 'node:crypto'

// 20 random hex digits per process, then 12 for a counter. The counter is added to 16^11 and
// wraps below 15·16^11, so it always prints as exactly 12 digits, without padding.
const prefix = randomBytes(10).toString('hex')
const BASE = 0x1000_0000_0000
const SPAN = 0xf000_0000_0000
let counter = 0

/**
 * A request id as the real gateway writes it: 32 lowercase hex digits. A random prefix per
 * process and a counter: unique, and cheap on the hot path (no entropy per request).
 */
export function newRequestId (): string {
  counter = (counter + 1) % SPAN
  return prefix + (BASE + counter).toString(16)
}
