import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { kernelQueue, responseDue } from './internals.js'

/** What a sweep knows of a connection's writes. */
interface Watched {
  /** Bytes of ours the connection had not taken at the last sweep: Node's and the kernel's queue. */
  pending: number
  kernel: number
  /** Since when it has taken nothing of them; -1 when nothing waits. */
  since: number
}

export interface ConnectionLimits {
  /** A connection that has sent no byte after this long is closed. */
  silentMs: number
  /** A connection that has taken nothing of our answers for this long is closed. */
  stallMs: number
  /** How often connections are looked at. */
  everyMs: number
}

/**
 * Every open connection, for what Node's own timeouts miss:
 * - a connection that never sends a byte has no request for `headersTimeout` to time (Node holds
 *   it for minutes, or answers it a 408 when its check runs often): closed without a word after
 *   `silentMs`, as nginx closes it;
 * - one sweep every `everyMs` (no timer per request): a client that does not read what it asked for keeps its answer in memory, and Node's socket
 *   timeout (which also counts reads) cannot tell it from a long poll: a connection with bytes of
 *   ours waiting that it has taken none of for `stallMs` is closed. Taking some counts: what
 *   Node holds shrinking, or what the kernel holds (a large answer is one write, which it takes
 *   piece by piece);
 * - shutdown: neither a silent connection nor one half-way through its headers has anything in
 *   flight to wait for (Node's `closeIdleConnections` closes neither).
 */
export class Connections {
  readonly #open = new Map<Socket, Watched>()
  readonly #sweep: NodeJS.Timeout

  constructor (server: Server, readonly limits: ConnectionLimits) {
    server.on('connection', (socket: Socket) => {
      this.#open.set(socket, { pending: 0, kernel: 0, since: -1 })
      const timer = setTimeout(() => { if (socket.bytesRead === 0) socket.destroy() }, limits.silentMs)
      timer.unref()
      socket.once('close', () => {
        clearTimeout(timer)
        this.#open.delete(socket)
      })
    })
    this.#sweep = setInterval(() => this.sweep(performance.now()), limits.everyMs).unref()
  }

  /** Closes the connections that stalled (what the timer calls, every `everyMs`). */
  sweep (now: number): void {
    const { stallMs } = this.limits
    for (const [socket, watched] of this.#open) {
      const pending = socket.writableLength
      const kernel = kernelQueue(socket)
      if (pending === 0 && kernel === 0) {
        watched.since = -1
      } else if (watched.since < 0 || pending < watched.pending || kernel < watched.kernel) {
        watched.since = now
      } else if (now - watched.since >= stallMs) {
        socket.destroy()
      }
      watched.pending = pending
      watched.kernel = kernel
    }
  }

  /** Stops the sweep (the server has closed). */
  stop (): void {
    clearInterval(this.#sweep)
  }

  /**
   * Shutdown's sweep: closes the connections that never sent a byte, those idle between requests,
   * and, once no request is in flight anywhere, those half-way through their headers (until then
   * they may still finish them and get their 503).
   */
  closeUnbusy (server: Server): void {
    server.closeIdleConnections()
    let busy = false
    for (const socket of this.#open.keys()) if (responseDue(socket) != null) busy = true
    for (const socket of this.#open.keys()) if (socket.bytesRead === 0 || (!busy && responseDue(socket) == null)) socket.destroy()
  }
}
