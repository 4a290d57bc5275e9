import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ApiError } from '../core/errors.js'
import { emulatorError } from '../core/errors.js'
import type { Step } from './faults.js'

/**
 * One hook for everything that needs the headers only, in the order of the product design:
 * request id, readiness, then for the emulated API's routes fault rules and header-only auth.
 * One hook rather than three: each costs the hook runner on every request.
 */
export function registerGate (app: FastifyInstance, fault: Step, checkAuth: ((request: FastifyRequest) => ApiError | undefined) | undefined): void {
  // Read through a local: the Fastify instance is a large object whose property loads are slow.
  const emulator = app.emulator
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    // Before the world is loaded and once closing starts, only health answers normally.
    if (!emulator.ready && request.url !== '/_emulator/health') {
      reply.header('retry-after', '1').header('connection', 'close')
      done(emulatorError(503, 'EMULATOR.0503', 'The emulator is not ready: it is starting or shutting down.'))
    } else if (request.url.startsWith('/v2/') && !request.is404) {
      fault(request, reply, () => done(checkAuth?.(request)))
    } else {
      done()
    }
  })
}

/** Ready once loaded; not ready, and quick to let connections go, once closing starts. */
export function registerLifecycle (app: FastifyInstance): void {
  app.addHook('onReady', async () => { app.emulator.ready = true })
  let sweep: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    app.emulator.ready = false
    // Keep-alive connections whose last request finishes during shutdown would otherwise
    // hold it open until keepAliveTimeout: close each as soon as it is idle.
    sweep = setInterval(() => app.server.closeIdleConnections(), 50).unref()
  })
  app.addHook('onClose', async () => clearInterval(sweep))
}
