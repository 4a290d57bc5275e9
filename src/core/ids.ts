import { randomBytes } from 'node:crypto'

const prefix = randomBytes(8).toString('hex')
let counter = 0

/**
 * A request id as the real gateway writes it: 32 lowercase hex digits. A random prefix per
 * process and a counter: unique, and cheap on the hot path (no entropy per request).
 */
export function newRequestId (): string {
  counter = (counter + 1) % 0x1_0000_0000_0000
  return prefix + counter.toString(16).padStart(16, '0')
}
