/** `http://host:port` (or `https://`), with an IPv6 host in brackets. */
export function urlOf (host: string, port: number, scheme: 'http' | 'https' = 'http'): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
}
