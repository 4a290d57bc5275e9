import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https'
import { dirname } from 'node:path'
import { writeAtTurnEnd } from '../../src/http/turn-writes.js'

/**
 * The practical ceiling: a raw node:http server that does the I/O the emulator must do and
 * nothing else. It reads and parses the JSON body, and answers the status and body bytes the
 * emulator answered to the same request (`BASELINE_STATUS`, `BASELINE_BODY_FILE`; by default
 * the documented 202). With `BASELINE_STATE_FILE` it also makes the emulator's durable write
 * per change (`BASELINE_STATE_TEXT_FILE`: the bytes the emulator's state file held): requests
 * answered in one event-loop turn share one write of a temporary file, fsync, rename and fsync
 * of the folder, and no answer goes out before the write it waits for. With
 * `BASELINE_TLS_KEY_FILE` and `BASELINE_TLS_CERT_FILE` it is node:https instead (the TLS
 * scenario: the same kind of key and certificate as the emulator's --tls auto). With
 * `BASELINE_TURN_WRITES=1` it hands its answers to the kernel at the end of each event-loop turn,
 * as the emulator does (src/http/turn-writes.ts; scenario 10, like for like).
 */
const env = process.env
const status = Number(env.BASELINE_STATUS ?? 202)
const answer = env.BASELINE_BODY_FILE === undefined ? Buffer.from('{"state":"synchronizing"}') : readFileSync(env.BASELINE_BODY_FILE)
const headers = { 'content-type': 'application/json', 'content-length': answer.length }
const stateFile = env.BASELINE_STATE_FILE
const stateText = env.BASELINE_STATE_TEXT_FILE === undefined ? Buffer.alloc(0) : readFileSync(env.BASELINE_STATE_TEXT_FILE)

function sync (path: string, flags: string, bytes?: Buffer): void {
  const fd = openSync(path, flags)
  try {
    if (bytes !== undefined) writeSync(fd, bytes, 0, bytes.length, 0)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

let waiting: ServerResponse[] = []
function writeState (): void {
  const temp = `${stateFile!}.${process.pid}.tmp`
  sync(temp, 'w', stateText)
  renameSync(temp, stateFile!)
  sync(dirname(stateFile!), 'r')
  const answered = waiting
  waiting = []
  for (const res of answered) send(res)
}

function send (res: ServerResponse): void {
  res.writeHead(status, headers)
  res.end(answer)
}

function handle (req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString('utf8'))
    if (stateFile === undefined) {
      send(res)
    } else {
      if (waiting.length === 0) setImmediate(writeState)
      waiting.push(res)
    }
  })
}

const server = env.BASELINE_TLS_KEY_FILE === undefined || env.BASELINE_TLS_KEY_FILE === ''
  ? createServer(handle)
  : createHttpsServer({ key: readFileSync(env.BASELINE_TLS_KEY_FILE), cert: readFileSync(env.BASELINE_TLS_CERT_FILE!) }, handle)
server.keepAliveTimeout = 5000
// No pipelining in the scenarios: nothing is ever written at once.
if (env.BASELINE_TURN_WRITES === '1') writeAtTurnEnd(server, () => false)
server.listen(Number(env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`baseline listening on ${server instanceof HttpsServer ? 'https' : 'http'}://127.0.0.1:${(server.address() as { port: number }).port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
