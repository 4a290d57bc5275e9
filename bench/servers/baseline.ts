import { createServer } from 'node:http'

/**
 * The practical ceiling: a raw node:http server that reads and parses the JSON body, as the
 * emulator must, and answers the documented 202 to everything.
 */
const answer = Buffer.from('{"state":"synchronizing"}')
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString('utf8'))
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': answer.length })
    res.end(answer)
  })
})
server.keepAliveTimeout = 5000
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`baseline listening on http://127.0.0.1:${(server.address() as { port: number }).port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
