import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { responseDue } from './internals.js'

/**
 * Every open connection, for what Node's own timeouts miss: a connection that never sends a
 * byte has no request for `headersTimeout` to time (Node holds it for minutes), and neither it
 * nor one that has sent half its headers has anything in flight that shutdown should wait for
 * (Node's `closeIdleConnections` closes neither).
 */
export class Connections {
  readonly #open = new Set<Socket>()

  /** Watches the server's connections; one that has sent no byte after `silentMs` is closed. */
  constructor (server: Server, silentMs: number) {
    server.on('connection', (socket: Socket) => {
      this.#open.add(socket)
      const timer = setTimeout(() => { if (socket.bytesRead === 0) socket.destroy() }, silentMs)
      timer.unref()
      socket.once('close', () => {
        clearTimeout(timer)
        this.#open.delete(socket)
      })
    })
  }

  /**
   * Shutdown's sweep: closes the connections that never sent a byte, those idle between requests,
   * and, once no request is in flight anywhere, those half-way through their headers (until then
   * they may still finish them and get their 503).
   */
  closeUnbusy (server: Server): void {
    server.closeIdleConnections()
    let busy = false
    for (const socket of this.#open) if (responseDue(socket) != null) busy = true
    for (const socket of this.#open) if (socket.bytesRead === 0 || (!busy && responseDue(socket) == null)) socket.destroy()
  }
}
