// The gRPC ceiling for bench/flight.ts: a bare grpc-js server-streaming method that sends one
// preallocated Buffer of `messageBytes` until `totalBytes` are out, with identity (de)serializers
// so only HTTP/2 framing and grpc-js costs remain. The request carries the sizes as JSON.
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

/** One server-streaming method, raw bytes both ways. */
export const BARE_SERVICE: grpc.ServiceDefinition = {
  Stream: {
    path: '/contrail.bench.Bare/Stream',
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'stream',
  },
};

export interface BareRequest {
  messageBytes: number;
  totalBytes: number;
}

async function stream(call: grpc.ServerWritableStream<Buffer, Buffer>): Promise<void> {
  const { messageBytes, totalBytes } = JSON.parse(call.request.toString('utf8')) as BareRequest;
  const chunk = Buffer.alloc(messageBytes, 0x5a);
  let sent = 0;
  let cancelled = false;
  call.on('cancelled', () => (cancelled = true));
  while (sent < totalBytes && !cancelled) {
    const n = Math.min(messageBytes, totalBytes - sent);
    // Same backpressure discipline as the Flight server's DoGet (spec §7.2).
    if (!call.write(n === messageBytes ? chunk : chunk.subarray(0, n))) await new Promise((r) => call.once('drain', r));
    sent += n;
  }
  call.end();
}

export async function startBareServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server({ 'grpc.max_send_message_length': -1 });
  server.addService(BARE_SERVICE, { Stream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => void stream(call) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
