import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify'

/*
 * The only places the emulator reads or changes Node's and Fastify's private state, each for a
 * reason measured or documented where it is used. An upgrade of either is checked here.
 */

/**
 * The config of the request's route: read from Fastify's route context, found once by its
 * symbol's description (`request.routeOptions` builds a frozen object on every read).
 */
let kRouteContext: symbol | undefined
export function routeConfig (request: FastifyRequest): FastifyContextConfig {
  kRouteContext ??= Object.getOwnPropertySymbols(request).find((key) => key.description === 'fastify.context')
  /* c8 ignore next */ // a Fastify without it (none so far) gets the frozen copy
  if (kRouteContext === undefined) return request.routeOptions.config
  return (request as unknown as Record<symbol, { config: FastifyContextConfig }>)[kRouteContext]!.config
}

/**
 * Fastify's own object of the headers it writes (`reply.getHeaders()` copies it, and Node's, into
 * a new object on every call): found once, by its description, on the first reply. A name set
 * here keeps its spelling on the wire.
 */
let kReplyHeaders: symbol | undefined
export function sentHeaders (reply: FastifyReply): Record<string, unknown> {
  kReplyHeaders ??= Object.getOwnPropertySymbols(reply).find((key) => key.description === 'fastify.reply.headers')
  /* c8 ignore next */ // a Fastify without it (none so far) gets the copy
  if (kReplyHeaders === undefined) return reply.getHeaders()
  return (reply as unknown as Record<symbol, Record<string, unknown>>)[kReplyHeaders]!
}

/**
 * The response Node is writing on a socket; later ones wait in its queue and take its place when
 * it emits 'finish' (Node's handler, registered first, moves the next one in). Node's own
 * client-error handling reads the same field.
 */
export const responseDue = (socket: Socket): ServerResponse | null | undefined =>
  (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage

/**
 * Node closes a `Connection: close` response's socket with `socket.destroySoon()` once the
 * response is finished: this replaces that one call, on this one socket.
 */
export function onDestroySoon (socket: Socket, instead: () => void): void {
  (socket as Socket & { destroySoon?: () => void }).destroySoon = instead
}

/**
 * Bytes the kernel has not yet taken of the socket's writes (libuv's write queue): it shrinks
 * as a client reads a large write, which Node's own `writableLength` counts whole until the
 * last byte is taken. 0 without a handle.
 */
export const kernelQueue = (socket: Socket): number =>
  (socket as Socket & { _handle?: { writeQueueSize?: number } | null })._handle?.writeQueueSize ?? 0

interface NodeHttpSocket extends Socket {
  /** The HTTP parser Node gave the connection; null once it has freed it (an upgrade, a close). */
  parser?: object | null
}

/** The connection's HTTP parser, as Node keeps it on the socket. */
export const httpParser = (socket: Socket): object | null | undefined => (socket as NodeHttpSocket).parser

/**
 * The TCP connection a TLS connection was made from (`new TLSSocket(socket)` keeps it as
 * `_parent`). It stays counted by the server that accepted it until it is destroyed, which Node
 * does not do when the TLS connection ends by the client's close rather than by a destroy.
 */
export const tlsParent = (socket: Socket): Socket | undefined => (socket as Socket & { _parent?: Socket })._parent
