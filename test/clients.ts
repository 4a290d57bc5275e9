import { request } from 'node:http'
import axios from 'axios'

/**
 * Three real HTTP clients sending a body by POST, each answering the status it saw or the
 * error code it got instead (EPIPE, ECONNRESET): what early answers are tested and measured with
 * (test/e2e/early-answers.test.ts, bench/abuse.ts).
 */
export type Outcome = number | string

export function viaHttp (url: string, body: Buffer, headers: Record<string, string>, agent?: false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode!))
    })
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    req.end(body)
  })
}

export async function viaFetch (url: string, body: Buffer, headers: Record<string, string>): Promise<Outcome> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body })
    await res.arrayBuffer()
    return res.status
  } catch (err) {
    return String((err as { cause?: { code?: string } }).cause?.code ?? err)
  }
}

export async function viaAxios (url: string, body: Buffer, headers: Record<string, string>): Promise<Outcome> {
  const res = await axios.post(url, body, { headers, maxBodyLength: Infinity, validateStatus: () => true }).catch((err: { code?: string }) => err.code ?? 'error')
  return typeof res === 'string' ? res : res.status
}
