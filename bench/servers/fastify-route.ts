import Fastify from 'fastify'

/**
 * Bare Fastify doing what scenario 1 needs and nothing else: the same route with its path
 * parameters, Fastify's own JSON body parser, the documented 202. No schema, hooks, journal
 * or store: the floor for any Fastify-based emulator, measured beside the emulator to show
 * which part of the gap to the raw node:http baseline is Fastify's.
 */
const app = Fastify()
const ACCEPTED = '{"state":"synchronizing"}'
app.delete('/v2/:project_id/clusters/:cluster_id/iam-sync-user', (request, reply) => {
  reply.code(202).type('application/json; charset=utf-8').send(ACCEPTED)
})
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
