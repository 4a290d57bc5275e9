/** `http://host:port`, with an IPv6 host in brackets. */
export function urlOf (host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}
