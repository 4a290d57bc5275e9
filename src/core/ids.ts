import { randomUUID } from 'node:crypto'

/** A request id as the real gateway writes it: 32 lowercase hex digits. */
export function newRequestId (): string {
  return randomUUID().replaceAll('-', '')
}
