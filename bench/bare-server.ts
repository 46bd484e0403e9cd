// The HTTP ceiling for bench/ingest.ts: a bare fastify server that reads each request body to the
// end, discards it and answers 200 with an empty protobuf response. Prints
// `bare-server listening on http://127.0.0.1:<port>` and exits on SIGTERM.
import Fastify from 'fastify';

const app = Fastify({ logger: false, exposeHeadRoutes: false, bodyLimit: 64 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_request, payload, done) => {
  payload.on('data', () => {});
  payload.on('end', () => done(null, undefined));
  payload.on('error', (err) => done(err, undefined));
});
for (const path of ['/v1/logs', '/ingestion/otlp/v1/logs']) {
  app.post(path, async (_request, reply) => {
    reply.code(200).header('content-type', 'application/x-protobuf');
    return Buffer.alloc(0);
  });
}

const address = await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.stdout.write(`bare-server listening on ${address}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
