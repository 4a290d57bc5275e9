const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b

/** How many bytes of `bytes` are `[` or `{`, counting no further than `max + 1`. Native searches: cheap on any body. */
function openings (bytes: Buffer, max: number): number {
  let count = 0
  for (let at = bytes.indexOf(OPEN_ARRAY); at !== -1 && count <= max; at = bytes.indexOf(OPEN_ARRAY, at + 1)) count++
  for (let at = bytes.indexOf(OPEN_OBJECT); at !== -1 && count <= max; at = bytes.indexOf(OPEN_OBJECT, at + 1)) count++
  return count
}

/**
 * Whether JSON text nests arrays and objects deeper than `limit`, found without parsing it and
 * without recursion. A body needs more than `limit` opening brackets to be that deep, so the
 * byte-by-byte scan runs only for the rare body that has them; it stops at the first level too
 * deep. Works on UTF-8 bytes: no byte of a multi-byte character is a bracket, quote or backslash.
 */
export function deeperThan (bytes: Buffer, limit: number): boolean {
  // Each level takes a byte: a body no longer than the limit cannot pass it (most bodies).
  if (bytes.length <= limit || openings(bytes, limit) <= limit) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]
    if (inString) {
      if (c === 0x5c) i++ // a backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return false
}
