import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Sleep } from '../core/faults.js'
import { apiNotFound, throttled } from '../core/errors.js'
import { strictAuthenticator } from '../core/strict-auth.js'
import type { AuthMode } from '../core/auth.js'
import { gatewayStep } from './api-gateway.js'
import { registerBodyParsers } from './body.js'
import type { LingerLimits } from './early-answers.js'
import { apiErrors, errorHandler, sendError } from './errors.js'
import { largeAnswers } from './large-answers.js'
import { registerPersistence } from './persistence.js'
import { recordStep } from './record.js'
import { describeOperations } from './operations.js'
import { signatureStep } from './signature-step.js'
import { apiValidatorCompiler } from './validation.js'

export interface ApiPlaneOptions {
  auth: AuthMode
  /** How delay faults wait. */
  sleep: Sleep
  /** How an early answer's connection lingers. */
  limits: LingerLimits
  /** The emulated API's routes. */
  routes: readonly FastifyPluginAsyncTypebox[]
}

/**
 * The emulated API behind its API gateway, as one encapsulated plugin: every step a request
 * meets, registered below in the order it runs (docs/architecture.md tells the same).
 *
 *  1. HTTP parsing and connection limits (Node; what never becomes a request is answered in
 *     before-routing.ts), routing (which picks this plane), the `Host` check.   ┐
 *  2. Its request id; readiness; an unknown path or method: the gateway's 404,  │ gatewayStep:
 *     before a byte of its body is read.                                        │ one onRequest
 *  3. Fault rules, before authentication.                                       │ hook
 *  4. Authentication by headers only.                                           ┘
 *  5. The body, read by the plane's parsers: over the limit, 413 here; a body that is not JSON,
 *     nests too deep or does not parse is noted here and answered at step 7.
 *  6. Strict mode: the signature, over the bytes received.
 *  7. Path and body validation, the operation and its reply (the routes).
 *  8. While a change is not yet in the state file, the answer waits for it (a 500 if it fails);
 *     then an IAM answer over 64 KiB takes its share of the large answers sent at once.
 *  9. The log line and the journal entry.
 * 10. The answer's bytes leave with the others made in the same turn of the event loop, at its
 *     end (turn-writes.ts, for every plain HTTP connection of the server).
 * Errors at any step are answered by the plane's error handler, in the gateway's or the
 * service's shape.
 */
export function apiPlane (options: ApiPlaneOptions) {
  return async function plane (api: FastifyInstance): Promise<void> {
    const { emulator } = api
    const { faults, journal, now, store, stateFile, waiting, bodies } = emulator
    // Signatures are judged on the real clock (clients sign with theirs); issued tokens and
    // temporary keys expire on the emulator's clock, which tests move forward.
    const strict = options.auth === 'strict' ? strictAuthenticator(() => store.credentials, emulator.clock.real, now) : undefined
    if (strict !== undefined) api.decorateRequest('signature', null) // strict mode only: a decorator costs every request

    api.setErrorHandler(errorHandler(options.limits, apiErrors))
    api.setNotFoundHandler((request, reply) => sendError(reply, apiNotFound())) // 2
    api.addHook('onRequest', gatewayStep({ auth: options.auth, strict, faults, journal, now, ready: () => emulator.ready, sleep: options.sleep, waiting, bodies })) // 1–4
    registerBodyParsers(api) // 5
    if (strict !== undefined) api.addHook('preValidation', signatureStep(strict)) // 6
    api.setValidatorCompiler(apiValidatorCompiler) // 7
    if (stateFile !== undefined) registerPersistence(api, stateFile, apiErrors) // 8
    // IAM's lists are the API's only answers whose size grows with the world: each takes its
    // share of the large answers sent at once (the gateway's 429 without one). MRS's routes,
    // whose answers are small or one shared buffer, get no hook.
    const large = largeAnswers(emulator.answers, throttled)
    api.addHook('onRoute', (route) => {
      if (route.config?.iam !== undefined) route.onSend = [...[route.onSend ?? []].flat(), large] as typeof route.onSend
    }) // 8
    api.addHook('onResponse', recordStep(api, journal, now)) // 9
    describeOperations(api)
    for (const routes of options.routes) await api.register(routes)
  }
}
