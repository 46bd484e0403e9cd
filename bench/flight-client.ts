// The measuring client of bench/flight.ts, run in its own process so it does not share the server's
// event loop or core: drains a stream `runs` times and prints one JSON line with bytes, messages and
// seconds per run.
//   flight-client flight <host:port> <runs> <sql>     DoGet of GetFlightInfo(CommandStatementQuery)'s ticket
//   flight-client bare <host:port> <runs> <messageBytes> <totalBytes>
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { FlightSqlClient } from '../flightsql/client.js';
import { BARE_SERVICE, type BareRequest } from './flight-bare.js';

/** Same receive limit as FlightSqlClient's default (tonic / grpc-go clients). */
const MAX_RECEIVE = 4 * 1024 * 1024;

export interface DrainRun {
  bytes: number;
  messages: number;
  seconds: number;
}

/** Arrow IPC bytes of a DoGet: every FlightData's data_header + data_body. */
async function drainFlight(client: FlightSqlClient, sql: string): Promise<DrainRun> {
  const info = await client.getFlightInfo('CommandStatementQuery', { query: sql });
  const t0 = performance.now();
  const call = client.raw.DoGet({ ticket: info.endpoint[0].ticket.ticket }, client.metadata()) as grpc.ClientReadableStream<{ data_header: Buffer; data_body: Buffer }>;
  let bytes = 0;
  let messages = 0;
  for await (const m of call) {
    bytes += m.data_header.length + m.data_body.length;
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
    for (let i = 0; i < runs; i++) out.push(await drainFlight(client, rest.join(' ')));
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
