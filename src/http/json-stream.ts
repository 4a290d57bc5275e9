import { Readable } from 'node:stream'

/** What a stream writes in one turn of the event loop before it lets other requests run. */
const TURN_BYTES = 1024 * 1024

/**
 * A JSON document written as the connection takes it: `head`, the items (each one's JSON text,
 * from `next` until it answers undefined) separated by commas, then `tail`. Items are made only
 * when the stream's buffer has room, so a reader that does not read holds one item and that
 * buffer, whatever the document's size; and the stream lets the event loop turn every megabyte,
 * so a large document never holds up the other requests.
 */
export function jsonStream (head: string, next: () => string | undefined, tail: string): Readable {
  let started = false
  let ended = false
  let turn = 0
  let written = false
  const stream = new Readable({
    read () {
      if (!started) {
        started = true
        this.push(head)
      }
      fill()
    }
  })
  function fill (): void {
    while (!ended && !stream.destroyed) {
      if (turn >= TURN_BYTES) {
        turn = 0
        setImmediate(fill)
        return
      }
      const item = next()
      if (item === undefined) {
        ended = true
        stream.push(tail)
        stream.push(null)
        return
      }
      const chunk = written ? `,${item}` : item
      written = true
      turn += chunk.length
      if (!stream.push(chunk)) return
    }
  }
  return stream
}
