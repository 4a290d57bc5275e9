import { isIP } from 'node:net'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type ApiError, controlForbidden, shorten } from '../core/errors.js'

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/** Whether an address is a loopback one (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6). */
export function isLoopback (address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase()
  if (isIP(bare) === 4) return bare.startsWith('127.')
  return bare === '::1' || bare.startsWith('::ffff:127.')
}

/** The host name of a `Host` value: `[::1]:9336` → `::1`, `Localhost:9336` → `localhost`. */
function hostName (host: string): string {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!
  return name.toLowerCase()
}

export interface BrowserRuleOptions {
  /** Origins besides the emulator's own whose pages may use the control plane. */
  allowedOrigins: ReadonlySet<string>
  /** Host names besides loopback ones and the listening address, while listening on loopback. */
  allowedHosts: readonly string[]
}

/**
 * A web page must not drive a developer's emulator: a page of another origin (`Origin`, or
 * `Sec-Fetch-Site: cross-site`) is refused, and while the emulator listens on a loopback address
 * so is a `Host` that is not a loopback name, the listening address or an allowed host (a
 * DNS-rebinding page): 403 `EMULATOR.0403`.
 */
export function browserRules (plane: FastifyInstance, options: BrowserRuleOptions) {
  const allowedHosts = new Set(options.allowedHosts.map((host) => host.toLowerCase()))
  /** Where the emulator listens; a Host check applies only on a loopback address. */
  const listening = (): string | undefined => {
    const address = plane.server.address()
    return address !== null && typeof address === 'object' && isLoopback(address.address) ? address.address : undefined
  }
  return (request: FastifyRequest): ApiError | undefined => {
    const { origin, host } = request.headers
    const own = host !== undefined && origin === `http://${host}`
    if (origin !== undefined && !own && !options.allowedOrigins.has(origin)) {
      return controlForbidden(`The control plane does not answer pages of origin ${shorten(origin)}; allow it with MRS_EMULATOR_ALLOWED_ORIGINS.`)
    }
    if (origin === undefined && request.headers['sec-fetch-site'] === 'cross-site') {
      return controlForbidden('The control plane does not answer requests from other sites (Sec-Fetch-Site: cross-site).')
    }
    const address = listening()
    if (address !== undefined && host !== undefined) {
      const name = hostName(host)
      if (!LOOPBACK_NAMES.has(name) && !isLoopback(name) && name !== address.toLowerCase() && !allowedHosts.has(name)) {
        return controlForbidden(`The control plane does not answer for host ${shorten(host)}; allow it with MRS_EMULATOR_ALLOWED_HOSTS.`)
      }
    }
    return undefined
  }
}
