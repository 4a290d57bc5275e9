import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { Server as TlsServer, createSecureContext, type SecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls'
import type { FastifyBaseLogger } from 'fastify'
import { tlsParent } from './internals.js'

/** The first byte of a TLS connection: a handshake record (RFC 8446, 5.1). No HTTP method starts with it. */
const HANDSHAKE = 0x16

export interface Schemes {
  /** Closes the connections that have not said yet which scheme they speak, or are still in their handshake (shutdown). */
  closeUndecided: () => void
}

export interface SchemeOptions {
  /** The key and certificate for a handshake, for the name the client asked for (SNI), if any. */
  material: (servername: string | undefined) => Promise<SecureContextOptions>
  /** A connection that sends no byte, or does not finish its handshake, for this long is closed. */
  silentMs: number
  log: FastifyBaseLogger
}

/**
 * HTTP and HTTPS on one port: the first byte of a connection decides. A TLS handshake goes to a
 * TLS server, whose decrypted connections then go to the HTTP server; anything else goes to the
 * HTTP server as it is. Either way the HTTP server's own connection listeners (Node's parser,
 * pipelining.ts, connections.ts) get the connection they will read from, so everything behind
 * them is the same over both schemes. (Hand-written rather than httpolyglot's server: that one
 * makes its own HTTP server, and ours is Node's with our listeners, made by Fastify's factory.)
 */
export function bothSchemes (server: Server, options: SchemeOptions): Schemes {
  const { silentMs, log } = options
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  const undecided = new Set<Socket>()
  /** TCP connections whose TLS handshake has not ended yet (tlsParent's, until then). */
  const handshaking = new Set<Socket>()
  const handOver = (socket: Socket) => {
    for (const listener of listeners) listener.call(server, socket)
    socket.resume()
  }

  // A context per certificate, made once: parsing one (70 KB with a thousand regions) on every
  // handshake blocked the loop and held native memory.
  const contexts = new WeakMap<SecureContextOptions, SecureContext>()
  const contextOf = (material: SecureContextOptions) => {
    let context = contexts.get(material)
    if (context === undefined) contexts.set(material, context = createSecureContext(material))
    return context
  }
  const tls = new TlsServer({
    minVersion: 'TLSv1.2',
    ALPNProtocols: ['http/1.1'],
    handshakeTimeout: silentMs,
    SNICallback: (servername, done) => {
      options.material(servername).then((material) => done(null, contextOf(material)), done)
    }
  })
  // Clients that send no name (an address, such as https://127.0.0.1:9336) get the default one,
  // made again when the certificate is (a world with other regions).
  let current: SecureContextOptions | undefined
  const withDefault = () => options.material(undefined).then((material) => {
    if (material !== current) tls.setSecureContext(material)
    current = material
  })
  // The TCP connection goes with its TLS connection, however that ends (see tlsParent).
  const withParent = (socket: TLSSocket) => {
    const parent = tlsParent(socket)
    if (parent !== undefined) handshaking.delete(parent)
    socket.once('close', () => parent?.destroy())
  }
  tls.on('secureConnection', (socket: TLSSocket) => {
    withParent(socket)
    handOver(socket)
  })
  // A failed handshake (plain text after a handshake byte, a client that never finished):
  // logged once at debug, the connection closed, never answered. (A client that finds the
  // certificate untrusted closes after the handshake: an ordinary close.)
  tls.on('tlsClientError', (err, socket) => {
    log.debug({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'TLS handshake failed')
    withParent(socket)
    socket.destroy()
  })

  server.on('connection', (socket: Socket) => {
    undecided.add(socket)
    const silent = setTimeout(() => socket.destroy(), silentMs).unref()
    // Until a server of ours has it, its errors (a reset, say) are ours to end.
    const onError = () => socket.destroy()
    socket.on('error', onError)
    socket.once('close', () => {
      clearTimeout(silent)
      undecided.delete(socket)
      handshaking.delete(socket)
    })
    // The first bytes are read and put back, the connection left reading (httpolyglot's way:
    // a pause would stop the TCP handle that the TLS connection then reads from, and a client
    // that closes during its handshake would go unnoticed until handshakeTimeout).
    const decide = () => {
      const first = socket.read() as Buffer | null
      if (first === null) {
        socket.once('readable', decide)
        return
      }
      clearTimeout(silent)
      undecided.delete(socket)
      socket.unshift(first)
      if (first[0] === HANDSHAKE) {
        handshaking.add(socket)
        // TLS has no half-open connections.
        socket.allowHalfOpen = false
        withDefault().then(() => tls.emit('connection', socket),
          /* c8 ignore next 4 */ // a certificate that cannot be made (WebCrypto failing): nothing to present
          (err: unknown) => {
            log.error({ err }, 'no TLS certificate to present')
            socket.destroy()
          })
      } else {
        socket.removeListener('error', onError)
        handOver(socket)
      }
    }
    socket.once('readable', decide)
  })

  return {
    closeUndecided: () => {
      for (const socket of undecided) socket.destroy()
      for (const socket of handshaking) socket.destroy()
    }
  }
}
