// A small Flight SQL client over grpc-js, for `contrail query`, tests and the benchmark: statements,
// prepared statements, metadata commands, Handshake, and raw calls.
import * as grpc from '@grpc/grpc-js';
import { Message, RecordBatchReader, RecordBatchStreamWriter, type RecordBatch, type Schema, type Table } from 'apache-arrow';
import { encapsulate, schemaFromBytes } from './ipc.js';
import { decodeSql, encodeSql, flightServiceDefinition, flightType, packAny } from './proto.js';

export interface FlightClientOptions {
  /** Headers sent on every call (authorization, query_range_*, …). */
  headers?: Record<string, string>;
  /** Receive limit; default 4 MiB like tonic and grpc-go clients. */
  maxReceiveBytes?: number;
  /** Dial TLS: `true` trusts the system roots, a Buffer is the PEM CA to trust. */
  tls?: boolean | Buffer;
  /** HTTP/2 receive window; default DEFAULT_FLOW_CONTROL_WINDOW. */
  flowControlWindowBytes?: number;
}

/** grpc-js keeps HTTP/2's 64 KiB receive window unless told otherwise, so a DoGet stream of MiB-sized
 * FlightData stalls on a WINDOW_UPDATE round trip every 64 KiB; a few frames' worth keeps it flowing. */
export const DEFAULT_FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;

export interface FlightInfoMsg {
  schema: Buffer;
  flight_descriptor: unknown;
  endpoint: { ticket: { ticket: Buffer }; location: unknown[] }[];
  total_records: string;
  total_bytes: string;
}

type Raw = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

export class FlightSqlClient {
  readonly raw: Raw;
  headers: Record<string, string>;

  constructor(address: string, opts: FlightClientOptions = {}) {
    const Ctor = grpc.makeGenericClientConstructor(flightServiceDefinition(), 'FlightService');
    const creds = opts.tls === undefined || opts.tls === false
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(opts.tls === true ? null : opts.tls);
    this.raw = new Ctor(address, creds, {
      'grpc.max_receive_message_length': opts.maxReceiveBytes ?? 4 * 1024 * 1024,
      'grpc-node.flow_control_window': opts.flowControlWindowBytes ?? DEFAULT_FLOW_CONTROL_WINDOW,
    }) as unknown as Raw;
    this.headers = { ...(opts.headers ?? {}) };
  }

  close(): void {
    this.raw.close();
  }

  metadata(extra: Record<string, string> = {}): grpc.Metadata {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries({ ...this.headers, ...extra })) md.set(k, v);
    return md;
  }

  /** Handshake with Basic credentials; returns the `authorization` response header (if any). */
  handshake(user: string, password: string, opts: { padded?: boolean } = {}): Promise<{ authorization?: string; responses: number }> {
    let b64 = Buffer.from(`${user}:${password}`).toString('base64');
    if (opts.padded === false) b64 = b64.replace(/=+$/, '');
    return this.handshakeWith(`Basic ${b64}`);
  }

  handshakeWith(authorization: string | undefined): Promise<{ authorization?: string; responses: number }> {
    return new Promise((resolve, reject) => {
      const md = this.metadata();
      md.remove('authorization');
      if (authorization !== undefined) md.set('authorization', authorization);
      const call = this.raw.Handshake(md) as grpc.ClientDuplexStream<unknown, unknown>;
      let auth: string | undefined;
      let responses = 0;
      call.on('metadata', (m: grpc.Metadata) => {
        const v = m.get('authorization')[0];
        if (v !== undefined) auth = String(v);
      });
      call.on('data', () => responses++);
      call.on('error', reject);
      call.on('end', () => resolve({ authorization: auth, responses }));
      call.write({ protocol_version: 0, payload: Buffer.alloc(0) });
      call.end();
    });
  }

  getFlightInfo(cmdName: string, cmd: object, extra?: Record<string, string>): Promise<FlightInfoMsg> {
    return this.unary('GetFlightInfo', { type: 'CMD', cmd: packAny(cmdName, cmd), path: [] }, extra) as Promise<FlightInfoMsg>;
  }

  async getSchema(cmdName: string, cmd: object, extra?: Record<string, string>): Promise<Schema> {
    const res = (await this.unary('GetSchema', { type: 'CMD', cmd: packAny(cmdName, cmd), path: [] }, extra)) as { schema: Buffer };
    return schemaFromBytes(res.schema);
  }

  unary(method: string, request: object, extra?: Record<string, string>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      (this.raw[method] as (r: object, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, v: unknown) => void) => void).call(
        this.raw, request, this.metadata(extra), (err, res) => (err ? reject(err) : resolve(res)),
      );
    });
  }

  /** DoGet as Arrow record batches (the stream starts with its schema). */
  async doGet(ticket: Buffer, extra?: Record<string, string>, onCall?: (call: grpc.ClientReadableStream<unknown>) => void): Promise<{ schema: Schema; batches: RecordBatch[] }> {
    const reader = await this.doGetReader(ticket, extra, onCall);
    const schema = reader.schema; // the reader forgets it once drained
    const batches: RecordBatch[] = [];
    for await (const b of reader) batches.push(b);
    return { schema, batches };
  }

  /** DoGet as a streaming reader over the frames, re-encapsulated as an IPC stream. */
  async doGetReader(ticket: Buffer, extra?: Record<string, string>, onCall?: (call: grpc.ClientReadableStream<unknown>) => void): Promise<AsyncIterable<RecordBatch> & { schema: Schema }> {
    const call = this.raw.DoGet({ ticket }, this.metadata(extra)) as grpc.ClientReadableStream<{ data_header: Buffer; data_body: Buffer }>;
    onCall?.(call as grpc.ClientReadableStream<unknown>);
    async function* ipc(): AsyncIterable<Uint8Array> {
      for await (const m of call) {
        yield encapsulate(m.data_header);
        if (m.data_body.length > 0) yield m.data_body;
      }
    }
    const reader = await RecordBatchReader.from(ipc());
    await reader.open();
    return reader as unknown as AsyncIterable<RecordBatch> & { schema: Schema };
  }

  /** GetFlightInfo(CommandStatementQuery) then DoGet of its one endpoint. */
  async query(sql: string, extra?: Record<string, string>): Promise<{ schema: Schema; batches: RecordBatch[]; info: FlightInfoMsg }> {
    const info = await this.getFlightInfo('CommandStatementQuery', { query: sql }, extra);
    const r = await this.doGet(info.endpoint[0].ticket.ticket, extra);
    return { ...r, info };
  }

  /** DoAction; each Result body. */
  doAction(type: string, body: Buffer, extra?: Record<string, string>): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const call = this.raw.DoAction({ type, body }, this.metadata(extra)) as grpc.ClientReadableStream<{ body: Buffer }>;
      const out: Buffer[] = [];
      call.on('data', (r) => out.push(r.body));
      call.on('error', reject);
      call.on('end', () => resolve(out));
    });
  }

  async prepare(sql: string, extra?: Record<string, string>): Promise<{ handle: Buffer; datasetSchema: Buffer; parameterSchema: Buffer; results: number }> {
    const results = await this.doAction('CreatePreparedStatement', packAny('ActionCreatePreparedStatementRequest', { query: sql }), extra);
    const any = flightAny(results[0]);
    const r = decodeSql<{ prepared_statement_handle: Buffer; dataset_schema: Buffer; parameter_schema: Buffer }>('ActionCreatePreparedStatementResult', any.value);
    return { handle: r.prepared_statement_handle, datasetSchema: r.dataset_schema, parameterSchema: r.parameter_schema, results: results.length };
  }

  async closePrepared(handle: Buffer): Promise<void> {
    await this.doAction('ClosePreparedStatement', packAny('ActionClosePreparedStatementRequest', { prepared_statement_handle: handle }));
  }

  /** Binds parameter sets (one per row of `params`) to a prepared statement: DoPut of its IPC stream;
   * the new handle the server returns. */
  async bind(handle: Buffer, params: Table): Promise<Buffer> {
    const put = await this.putParameters(handle, ipcFrames(RecordBatchStreamWriter.writeAll(params).toUint8Array(true)));
    return decodeSql<{ prepared_statement_handle: Buffer }>('DoPutPreparedStatementResult', put[0]).prepared_statement_handle;
  }

  /** DoPut(CommandPreparedStatementQuery) with parameter frames; the raw PutResult app_metadata. */
  putParameters(handle: Buffer, frames: { data_header: Buffer; data_body: Buffer }[], cmdName = 'CommandPreparedStatementQuery'): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const call = this.raw.DoPut(this.metadata()) as grpc.ClientDuplexStream<unknown, { app_metadata: Buffer }>;
      const out: Buffer[] = [];
      call.on('data', (r) => out.push(r.app_metadata));
      call.on('error', reject);
      call.on('end', () => resolve(out));
      const descriptor = { type: 'CMD', cmd: packAny(cmdName, { prepared_statement_handle: handle, query: '' }), path: [] };
      frames.forEach((f, i) => call.write(i === 0 ? { ...f, flight_descriptor: descriptor } : f));
      call.end();
    });
  }
}

/** An IPC stream cut into FlightData {data_header, data_body} frames (the end-of-stream marker dropped). */
export function ipcFrames(bytes: Uint8Array): { data_header: Buffer; data_body: Buffer }[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { data_header: Buffer; data_body: Buffer }[] = [];
  for (let at = 0; at + 8 <= b.length; ) {
    const len = b.readInt32LE(at + 4);
    if (len === 0) break;
    const header = b.subarray(at + 8, at + 8 + len);
    const bodyLength = Number(Message.decode(header).bodyLength);
    out.push({ data_header: Buffer.from(header), data_body: Buffer.from(b.subarray(at + 8 + len, at + 8 + len + bodyLength)) });
    at += 8 + len + bodyLength;
  }
  return out;
}

/** Type URL and payload of an Any (the client checks the exact URL, as arrow-rs does). */
export function flightAny(bytes: Buffer): { typeUrl: string; value: Buffer } {
  const t = flightType('FlightData').root.lookupType('google.protobuf.Any');
  const m = t.toObject(t.decode(bytes), { bytes: Buffer as never }) as { type_url: string; value: Buffer };
  return { typeUrl: m.type_url, value: m.value };
}

export { encodeSql };
