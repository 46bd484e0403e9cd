// The measuring client of bench/flight.ts, run in its own process so it does not share the server's
// event loop or core: drains a stream `runs` times and prints one JSON line with bytes, messages and
// seconds per run.
//   flight-client flight <host:port> <runs> <sql>     DoGet of GetFlightInfo(CommandStatementQuery)'s ticket
//   flight-client bare <host:port> <runs> <messageBytes> <totalBytes>
// Both modes receive each message as raw bytes (identity deserializer) so the clients do equivalent
// work; the Flight mode only walks the FlightData tags to count data_header + data_body bytes.
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { FlightSqlClient } from '../flightsql/client.js';
import { BARE_SERVICE, type BareRequest } from './flight-bare.js';

/** Same receive limit as FlightSqlClient's default (tonic / grpc-go clients). Both raw clients keep
 * grpc-js's default 64 KiB HTTP/2 window (FlightSqlClient asks for more): the figures stay comparable
 * with earlier runs, and the ceiling stays what a client with default settings gets. */
const MAX_RECEIVE = 4 * 1024 * 1024;

export interface DrainRun {
  bytes: number;
  messages: number;
  seconds: number;
}

const identity = (b: Buffer): Buffer => b;

/** DoGet with a hand-encoded Ticket{ticket = 1} request and raw FlightData responses. */
const RAW_DOGET: grpc.ServiceDefinition = {
  DoGet: {
    path: '/arrow.flight.protocol.FlightService/DoGet',
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'doGet',
  },
};

function readVarint(b: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  for (let scale = 1; ; scale *= 128) {
    const byte = b[at++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
  }
}

function lengthDelimited(n: number): Buffer {
  const out = Buffer.alloc(10);
  let at = 0;
  for (; n >= 0x80; n = Math.floor(n / 128)) out[at++] = (n % 128) | 0x80;
  out[at++] = n;
  return out.subarray(0, at);
}

/** data_header + data_body byte counts of one raw FlightData (other fields skipped). */
function ipcBytes(frame: Buffer): number {
  let bytes = 0;
  for (let at = 0; at < frame.length; ) {
    const [tag, afterTag] = readVarint(frame, at);
    if ((tag & 7) !== 2) throw new Error(`unexpected FlightData wire type ${tag & 7}`);
    const [len, start] = readVarint(frame, afterTag);
    const field = Math.floor(tag / 8);
    if (field === 2 || field === 1000) bytes += len;
    at = start + len;
  }
  return bytes;
}

/** Arrow IPC bytes of a DoGet: every FlightData's data_header + data_body. */
async function drainFlight(client: FlightSqlClient, raw: grpc.Client & Record<string, (...a: unknown[]) => unknown>, sql: string): Promise<DrainRun> {
  const info = await client.getFlightInfo('CommandStatementQuery', { query: sql });
  const ticket = info.endpoint[0].ticket.ticket as Buffer;
  const t0 = performance.now();
  const call = raw.DoGet(Buffer.concat([Buffer.from([0x0a]), lengthDelimited(ticket.length), ticket]), client.metadata()) as grpc.ClientReadableStream<Buffer>;
  let bytes = 0;
  let messages = 0;
  for await (const m of call) {
    bytes += ipcBytes(m as Buffer);
    messages++;
  }
  return { bytes, messages, seconds: (performance.now() - t0) / 1000 };
}

async function drainBare(client: grpc.Client & Record<string, (...a: unknown[]) => unknown>, req: BareRequest): Promise<DrainRun> {
  const t0 = performance.now();
  const call = client.Stream(Buffer.from(JSON.stringify(req))) as grpc.ClientReadableStream<Buffer>;
  let bytes = 0;
  let messages = 0;
  for await (const m of call) {
    bytes += (m as Buffer).length;
    messages++;
  }
  return { bytes, messages, seconds: (performance.now() - t0) / 1000 };
}

async function main(argv: string[]): Promise<void> {
  const [mode, address, runsText, ...rest] = argv;
  const runs = Number(runsText);
  const out: DrainRun[] = [];
  if (mode === 'flight') {
    const client = new FlightSqlClient(address, { maxReceiveBytes: MAX_RECEIVE });
    const Ctor = grpc.makeGenericClientConstructor(RAW_DOGET, 'FlightService');
    const raw = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': MAX_RECEIVE }) as unknown as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
    for (let i = 0; i < runs; i++) out.push(await drainFlight(client, raw, rest.join(' ')));
    raw.close();
    client.close();
  } else if (mode === 'bare') {
    const Ctor = grpc.makeGenericClientConstructor(BARE_SERVICE, 'Bare');
    const client = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': MAX_RECEIVE }) as unknown as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
    const req: BareRequest = { messageBytes: Number(rest[0]), totalBytes: Number(rest[1]) };
    for (let i = 0; i < runs; i++) out.push(await drainBare(client, req));
    client.close();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

await main(process.argv.slice(2));
