// POST of a protobuf body over a caller-owned (usually keep-alive) http.Agent, resolving to the
// status code once the response is drained: the OTLP/HTTP load of benchmarks and e2e tests.
import http from 'node:http';

export function postProtobuf(url: URL, agent: http.Agent, body: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
