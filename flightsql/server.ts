// The Flight SQL service: statements, prepared statements, metadata commands, Handshake and bearer
// auth, headers, and DoGet streaming with backpressure and cancellation.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import type { Authenticator, Identity } from '../auth/types.js';
import type { BlobStore, Catalog } from '../lake/types.js';
import { decodeSegment } from '../decoders/index.js';
import { planQuery, type PlannedQuery } from '../query/engine.js';
import { QueryError } from '../query/errors.js';
import type { QueryContext, TableSource } from '../query/types.js';
import type { ScalarType } from '../query/plan/types.js';
import { lakeTableSource } from '../query/views/lake-source.js';
import { DEFAULT_SEGMENT_CACHE_BYTES, SegmentCache } from '../query/segment-cache.js';
import { withInformationSchema } from '../query/views/information-schema.js';
import { FlightError, invalidArgument, toServiceError, unauthenticated, unimplemented } from './errors.js';
import { decodeHandle, encodeHandle, type ParamValue, type StatementHandle } from './handles.js';
import { attribution, header, requestOptions, timeRangeOf, type RequestOptions } from './headers.js';
import { FrameSerializer, batchFrameParts, encapsulate, encodeFlightData, type FrameParts, hydrateBatch, hydratedSchema, schemaBytes, schemaHeader } from './ipc.js';
import { isMetadataCommand, metadataBatch, metadataSchema, type MetadataSource } from './metadata.js';
import { bindParameters, hasPlaceholders, parameterRows, parameterSchema, parameterTypes } from './params.js';
import { decodeSql, encodeSql, flightServiceDefinition, packAny, unpackAny } from './proto.js';
import { grpcServerCredentials, type GrpcTlsKeyPair } from '../ingest/grpc.js';

export type FlightLogger = (event: Record<string, unknown>) => void;

export interface FlightSqlDeps {
  catalog: Catalog;
  blobs: BlobStore;
  auth: Authenticator;
  /** Receives one object per query and per unexpected failure. */
  logger?: FlightLogger;
  /** FLIGHT_SQL_SERVER_VERSION; default "unknown". */
  serverVersion?: string;
  /** Idle lifetime of parameter bindings remembered under a prepared handle; default 10 min. */
  handleIdleMs?: number;
  /** Byte bound of the decoded-segment cache shared by this server's queries; 0 disables it.
   * Default 256 MiB. */
  segmentCacheBytes?: number;
  /** Tables to query instead of the lake's (tests). */
  tables?: TableSource;
  /** PEM certificate chain and key: serve TLS (ALPN `h2`) instead of plaintext h2c. */
  tls?: GrpcTlsKeyPair;
}

export interface FlightSqlServer {
  port: number;
  close(): Promise<void>;
}

const ACTIONS = [
  { type: 'CreatePreparedStatement', description: 'Plan a SQL query; returns a handle and its result schema' },
  { type: 'ClosePreparedStatement', description: 'Release a prepared statement handle' },
];

interface Descriptor {
  type: string | number;
  cmd: Buffer;
  path: string[];
}

interface Planned {
  schema: Schema;
  queries: PlannedQuery[];
  preserveDictionary: boolean;
}

/** Binds the service to `addr` (host:port; port 0 = any). Loopback addresses also get `[::1]`. */
export async function startFlightSqlServer(addr: string, deps: FlightSqlDeps): Promise<FlightSqlServer> {
  const service = new FlightSqlService(deps);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  const def = flightServiceDefinition();
  // DoGet frames are encoded by ipc.ts straight into FlightData bytes: record batches only when grpc-js
  // serializes them (it copies the bytes at once, so one buffer is reused), the others up front.
  const frames = new FrameSerializer();
  const serialize = (f: Buffer | FrameParts) => (Buffer.isBuffer(f) ? f : frames.serialize(f));
  server.addService({ ...def, DoGet: { ...def.DoGet, responseSerialize: serialize } }, service.handlers());
  const { host, port } = splitAddr(addr);
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const credentials = grpcServerCredentials(deps.tls);
  const bound = await bind(server, formatAddr(bindHost, port), credentials);
  if (host === 'localhost' || bindHost === '127.0.0.1') {
    await bind(server, formatAddr('::1', bound), credentials).catch(() => undefined); // no IPv6 loopback: fine
  }
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        service.stop();
        const force = setTimeout(() => server.forceShutdown(), 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function splitAddr(addr: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]*):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid Flight SQL address "${addr}" (expected HOST:PORT)`);
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}

const formatAddr = (host: string, port: number) => (isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`);

function bind(server: grpc.Server, addr: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(addr, credentials, (err, port) => (err ? reject(err) : resolve(port))),
  );
}

class FlightSqlService {
  private readonly bindings = new Map<string, { params: ParamValue[][]; lastUsed: number }>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly version: string;
  private readonly lakeTables: TableSource;

  constructor(private readonly deps: FlightSqlDeps) {
    this.idleMs = deps.handleIdleMs ?? 10 * 60_000;
    this.version = deps.serverVersion ?? 'unknown';
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.idleMs, 60_000));
    this.sweeper.unref();
    const cacheBytes = deps.segmentCacheBytes ?? DEFAULT_SEGMENT_CACHE_BYTES;
    this.lakeTables = lakeTableSource({
      catalog: deps.catalog,
      blobs: deps.blobs,
      decode: decodeSegment,
      cache: cacheBytes > 0 ? new SegmentCache(cacheBytes) : undefined,
    });
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.bindings) if (now - v.lastUsed > this.idleMs) this.bindings.delete(k);
  }

  private log(event: Record<string, unknown>): void {
    this.deps.logger?.(event);
  }

  // ---- context ----

  private tables(): TableSource {
    return this.deps.tables ?? this.lakeTables;
  }

  private context(o: RequestOptions): QueryContext {
    return { tables: this.tables(), catalog: this.deps.catalog, timeRange: timeRangeOf(o), limit: o.limit };
  }

  private metadataSource(): MetadataSource {
    const tables = withInformationSchema(this.tables());
    return {
      serverVersion: this.version,
      tableNames: () => tables.tableNames(),
      tableSchema: async (schema, name) => hydratedSchema((await planQuery(`SELECT * FROM "${schema}"."${name}"`, this.context({}))).schema),
    };
  }

  /** Credentials of a call: `Bearer <token>` or `Basic` (password = credential). */
  private async authenticate(md: grpc.Metadata): Promise<Identity> {
    const authz = header(md, 'authorization');
    const basic = authz === undefined ? undefined : parseBasic(authz);
    try {
      return await this.deps.auth.authenticate(basic ? `Bearer ${basic.password}` : authz);
    } catch (e) {
      throw unauthenticated(e instanceof Error ? e.message : 'invalid credentials');
    }
  }

  // ---- statements ----

  /** Plans a statement (each bound parameter set once); errors surface here, before streaming. */
  private async plan(h: StatementHandle, o: RequestOptions): Promise<Planned> {
    const ctx = this.context(o);
    const preserveDictionary = o.preserveDictionary === true;
    const sets: (ParamValue[] | undefined)[] = h.params && h.params.length > 0 ? h.params : [undefined];
    const queries: PlannedQuery[] = [];
    for (const params of sets) queries.push(await planQuery(bindParameters(h.sql, params), ctx, { preserveDictionaries: preserveDictionary }));
    const schema = preserveDictionary ? queries[0].schema : hydratedSchema(queries[0].schema);
    return { schema, queries, preserveDictionary };
  }

  private boundHandle(bytes: Uint8Array): { handle: StatementHandle; raw: boolean } {
    const d = decodeHandle(bytes);
    if (!d.handle.params) {
      const b = this.bindings.get(Buffer.from(bytes).toString('base64'));
      if (b) {
        b.lastUsed = Date.now();
        d.handle = { ...d.handle, params: b.params };
      }
    }
    return d;
  }

  private requireBound(h: StatementHandle): void {
    if (!h.params && hasPlaceholders(h.sql)) throw invalidArgument('the prepared statement has unbound parameters (bind them with DoPut)');
  }

  private handleOptions(h: StatementHandle): RequestOptions {
    return { begin: h.begin, end: h.end, limit: h.limit, preserveDictionary: h.preserveDictionary };
  }

  // ---- commands ----

  private command(desc: Descriptor): { name: string; value: Uint8Array } {
    const isCmd = desc.type === 'CMD' || desc.type === 2;
    if (!isCmd) throw unimplemented('a PATH flight descriptor');
    const any = unpackAny(desc.cmd);
    if (!any) throw invalidArgument('unrecognized command: FlightDescriptor.cmd is not a google.protobuf.Any');
    return any;
  }

  /** FlightInfo schema + ticket for a descriptor (the work of GetFlightInfo and GetSchema). */
  private async describe(desc: Descriptor, md: grpc.Metadata, queryId: string): Promise<{ schema: Schema; ticket: Buffer }> {
    const { name, value } = this.command(desc);
    if (name === 'CommandStatementQuery') {
      const cmd = decodeSql<{ query: string; transaction_id?: Buffer }>(name, value);
      if (cmd.transaction_id && cmd.transaction_id.length > 0) throw invalidArgument('transactions are not supported');
      const o = requestOptions(md);
      const handle: StatementHandle = { sql: cmd.query, ...o };
      const planned = await this.plan(handle, o);
      this.logQuery('plan', cmd.query, md, queryId);
      return { schema: planned.schema, ticket: packAny('TicketStatementQuery', { statement_handle: encodeHandle(handle) }) };
    }
    if (name === 'CommandPreparedStatementQuery') {
      const cmd = decodeSql<{ prepared_statement_handle: Buffer }>(name, value);
      const { handle } = this.boundHandle(cmd.prepared_statement_handle);
      this.requireBound(handle);
      const o = { ...this.handleOptions(handle), ...definedOnly(requestOptions(md)), preserveDictionary: handle.preserveDictionary };
      const planned = await this.plan(handle, o);
      return { schema: planned.schema, ticket: packAny(name, { prepared_statement_handle: cmd.prepared_statement_handle }) };
    }
    if (isMetadataCommand(name)) {
      return { schema: metadataSchema(name, decodeSql(name, value)), ticket: Buffer.from(desc.cmd) };
    }
    throw unimplemented(name);
  }

  private logQuery(phase: string, sql: string, md: grpc.Metadata, queryId?: string): void {
    this.log({ msg: 'flight sql query', phase, queryId, sql: sql.slice(0, 2000), ...attribution(md) });
  }

  handlers(): grpc.UntypedServiceImplementation {
    const unary = <Req, Res>(fn: (req: Req, md: grpc.Metadata) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
      (call, callback) => {
        fn(call.request, call.metadata).then(
          (res) => callback(null, res),
          (err) => callback(this.failure(err)),
        );
      };
    const serverStream = <Req>(fn: (call: grpc.ServerWritableStream<Req, unknown>) => Promise<void>): grpc.handleServerStreamingCall<Req, unknown> =>
      (call) => {
        fn(call).then(
          () => call.end(),
          (err) => {
            if (!call.cancelled) call.emit('error', this.failure(err));
          },
        );
      };
    const notSupported = (what: string) => (call: { emit(e: string, v: unknown): void } & Partial<grpc.ServerUnaryCall<unknown, unknown>>, callback?: grpc.sendUnaryData<unknown>) => {
      const err = this.failure(unimplemented(what));
      if (callback) callback(err);
      else call.emit('error', err);
    };
    return {
      Handshake: (call: grpc.ServerDuplexStream<unknown, unknown>) => this.handshake(call),
      ListFlights: notSupported('ListFlights'),
      PollFlightInfo: notSupported('PollFlightInfo'),
      DoExchange: notSupported('DoExchange'),
      GetFlightInfo: unary(async (desc: Descriptor, md) => {
        await this.authenticate(md);
        const queryId = randomUUID();
        const { schema, ticket } = await withQueryId(queryId, () => this.describe(desc, md, queryId));
        return {
          schema: schemaBytes(schema),
          flight_descriptor: desc,
          endpoint: [{ ticket: { ticket }, location: [] }],
          total_records: -1,
          total_bytes: -1,
          ordered: false,
          app_metadata: Buffer.alloc(0),
        };
      }),
      GetSchema: unary(async (desc: Descriptor, md) => {
        await this.authenticate(md);
        const queryId = randomUUID();
        return { schema: schemaBytes((await withQueryId(queryId, () => this.describe(desc, md, queryId))).schema) };
      }),
      DoGet: serverStream(async (call) => this.doGet(call as grpc.ServerWritableStream<{ ticket: Buffer }, Buffer>)),
      DoAction: serverStream(async (call) => this.doAction(call as grpc.ServerWritableStream<{ type: string; body: Buffer }, unknown>)),
      ListActions: serverStream(async (call) => {
        await this.authenticate(call.metadata);
        for (const a of ACTIONS) call.write(a);
      }),
      DoPut: (call: grpc.ServerDuplexStream<FlightDataMsg, { app_metadata: Buffer }>) => this.doPut(call),
    };
  }

  private failure(err: unknown): grpc.ServiceError {
    const e = err instanceof QueryIdError ? toServiceError(err.inner, err.queryId) : toServiceError(err);
    if (e.unexpected) this.log({ msg: 'flight sql internal error', error: err instanceof Error ? err.stack : String(err) });
    return e;
  }

  // ---- Handshake ----

  private handshake(call: grpc.ServerDuplexStream<unknown, unknown>): void {
    call.on('data', () => undefined); // requests are drained and ignored
    call.on('error', () => undefined);
    const authz = header(call.metadata, 'authorization');
    const basic = authz === undefined ? undefined : parseBasic(authz);
    const finish = async () => {
      if (basic) {
        const token = this.deps.auth.enabled ? basic.password : 'anonymous';
        if (this.deps.auth.enabled) await this.authenticate(call.metadata);
        this.log({ msg: 'flight sql handshake', user: basic.user });
        const md = new grpc.Metadata();
        md.set('authorization', `Bearer ${token}`);
        call.sendMetadata(md);
        call.write({ protocol_version: 0, payload: Buffer.from(token) });
        return;
      }
      if (this.deps.auth.enabled) await this.authenticate(call.metadata);
    };
    finish().then(
      () => call.end(),
      (err) => call.emit('error', this.failure(err)),
    );
  }

  // ---- DoGet ----

  private async doGet(call: grpc.ServerWritableStream<{ ticket: Buffer }, Buffer>): Promise<void> {
    const md = call.metadata;
    await this.authenticate(md);
    const queryId = randomUUID();
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const early = new grpc.Metadata();
    early.set('x-contrail-query-id', queryId);
    call.sendMetadata(early);
    const ticket = call.request.ticket ?? Buffer.alloc(0);
    let schema: Schema;
    let batches: AsyncIterable<RecordBatch>;
    let preserve = false;
    try {
      const t = this.ticket(ticket);
      if (t.kind === 'metadata') {
        schema = metadataSchema(t.name, t.cmd);
        const batch = await metadataBatch(t.name, t.cmd, this.metadataSource());
        batches = (async function* () {
          yield batch;
        })();
      } else {
        const { handle, raw } = t.prepared ? this.boundHandle(t.handle) : decodeHandle(t.handle);
        if (t.prepared) this.requireBound(handle);
        const headers = requestOptions(md);
        const o: RequestOptions = raw
          ? headers
          : { ...this.handleOptions(handle), ...definedOnly(headers), preserveDictionary: handle.preserveDictionary };
        const planned = await this.plan(handle, o);
        this.logQuery('execute', handle.sql, md, queryId);
        schema = planned.schema;
        preserve = planned.preserveDictionary;
        batches = concat(planned.queries, abort.signal);
      }
    } catch (e) {
      throw new QueryIdError(e, queryId);
    }
    await this.stream(call, schema, batches, preserve, abort.signal, queryId);
  }

  private ticket(bytes: Buffer):
    | { kind: 'metadata'; name: Parameters<typeof metadataSchema>[0]; cmd: Record<string, unknown> }
    | { kind: 'statement'; handle: Buffer; prepared: boolean } {
    const any = unpackAny(bytes);
    if (any?.name === 'TicketStatementQuery') {
      return { kind: 'statement', handle: decodeSql<{ statement_handle: Buffer }>(any.name, any.value).statement_handle, prepared: false };
    }
    if (any?.name === 'CommandPreparedStatementQuery') {
      return { kind: 'statement', handle: decodeSql<{ prepared_statement_handle: Buffer }>(any.name, any.value).prepared_statement_handle, prepared: true };
    }
    if (any && isMetadataCommand(any.name)) return { kind: 'metadata', name: any.name, cmd: decodeSql(any.name, any.value) };
    // a TicketStatementQuery not wrapped in Any
    if (bytes[0] === 0x0a) {
      try {
        const t = decodeSql<{ statement_handle: Buffer }>('TicketStatementQuery', bytes);
        if (t.statement_handle.length > 0) return { kind: 'statement', handle: t.statement_handle, prepared: false };
      } catch {
        // not one either
      }
    }
    throw invalidArgument('unrecognized ticket');
  }

  /** Schema frame first (always), then each batch's frames; waits for `drain`, stops on cancel. */
  private async stream(call: grpc.ServerWritableStream<unknown, Buffer>, schema: Schema, batches: AsyncIterable<RecordBatch>, preserve: boolean, signal: AbortSignal, queryId: string): Promise<void> {
    await write(call, encodeFlightData(schemaHeader(schema)), signal);
    let rows = 0;
    try {
      for await (const b of batches) {
        if (signal.aborted) return;
        const batch = preserve ? b : hydrateBatch(b, schema);
        rows += batch.numRows;
        for (const frame of batchFrameParts(batch)) {
          await write(call, frame, signal);
          if (signal.aborted) return;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw new QueryIdError(e, queryId);
    }
    this.log({ msg: 'flight sql query done', queryId, rows });
  }

  // ---- DoAction ----

  private async doAction(call: grpc.ServerWritableStream<{ type: string; body: Buffer }, unknown>): Promise<void> {
    const md = call.metadata;
    await this.authenticate(md);
    const { type, body } = call.request;
    if (type === 'CreatePreparedStatement') {
      const any = unpackAny(body);
      if (!any || any.name !== 'ActionCreatePreparedStatementRequest') throw invalidArgument('CreatePreparedStatement expects an ActionCreatePreparedStatementRequest');
      const req = decodeSql<{ query: string; transaction_id?: Buffer }>(any.name, any.value);
      if (req.transaction_id && req.transaction_id.length > 0) throw invalidArgument('transactions are not supported');
      const queryId = randomUUID();
      const o = await withQueryId(queryId, async () => requestOptions(md));
      const handle: StatementHandle = { sql: req.query, ...definedOnly(o) };
      const planned = await withQueryId(queryId, () => this.plan(handle, o));
      this.logQuery('prepare', req.query, md, queryId);
      const params = parameterSchema(req.query, parameterTypes(req.query, planned.queries[0].plan));
      call.write({
        body: packAny('ActionCreatePreparedStatementResult', {
          prepared_statement_handle: encodeHandle(handle),
          dataset_schema: schemaBytes(planned.schema),
          parameter_schema: params ? schemaBytes(params) : Buffer.alloc(0),
          is_update: false,
        }),
      });
      return;
    }
    if (type === 'ClosePreparedStatement') {
      const any = unpackAny(body);
      if (any?.name === 'ActionClosePreparedStatementRequest') {
        const req = decodeSql<{ prepared_statement_handle: Buffer }>(any.name, any.value);
        this.bindings.delete(Buffer.from(req.prepared_statement_handle).toString('base64'));
      }
      return;
    }
    throw unimplemented(`action ${JSON.stringify(type).slice(0, 80)}`);
  }

  // ---- DoPut ----

  private doPut(call: grpc.ServerDuplexStream<FlightDataMsg, { app_metadata: Buffer }>): void {
    const messages: FlightDataMsg[] = [];
    let handleBytes: Buffer | undefined;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      call.removeAllListeners('data');
      call.on('data', () => undefined);
      call.emit('error', this.failure(err));
    };
    const authed = this.authenticate(call.metadata);
    authed.catch(fail);
    call.on('data', (m: FlightDataMsg) => {
      if (failed) return;
      if (handleBytes === undefined) {
        try {
          const desc = m.flight_descriptor;
          if (!desc) throw invalidArgument('the first DoPut message must carry a flight descriptor');
          const { name, value } = this.command(desc);
          if (name !== 'CommandPreparedStatementQuery') throw unimplemented(`DoPut with ${name}`);
          handleBytes = decodeSql<{ prepared_statement_handle: Buffer }>(name, value).prepared_statement_handle;
        } catch (e) {
          fail(e);
          return;
        }
      }
      messages.push(m);
    });
    call.on('end', () => {
      if (failed) return;
      (async () => {
        await authed;
        if (handleBytes === undefined) throw invalidArgument('DoPut without a flight descriptor');
        const { handle } = decodeHandle(handleBytes);
        const unbound = await this.plan({ ...handle, params: undefined }, this.handleOptions(handle));
        const rows = await readParameterRows(messages, parameterTypes(handle.sql, unbound.queries[0].plan));
        const bound: StatementHandle = { ...handle, params: rows };
        await this.plan(bound, this.handleOptions(bound)); // values must plan (coercion errors surface here)
        this.bindings.set(handleBytes.toString('base64'), { params: rows, lastUsed: Date.now() });
        call.write({ app_metadata: encodeSql('DoPutPreparedStatementResult', { prepared_statement_handle: encodeHandle(bound) }) });
        call.end();
      })().catch(fail);
    });
    call.on('error', () => undefined);
  }
}

interface FlightDataMsg {
  flight_descriptor?: Descriptor | null;
  data_header: Buffer;
  data_body: Buffer;
}

/** Parameter sets from the DoPut FlightData (schema message, then record batches). */
async function readParameterRows(messages: FlightDataMsg[], types: (ScalarType | undefined)[]): Promise<ParamValue[][]> {
  const chunks: Buffer[] = [];
  for (const m of messages) {
    if (!m.data_header || m.data_header.length === 0) continue;
    chunks.push(encapsulate(m.data_header), m.data_body ?? Buffer.alloc(0));
  }
  if (chunks.length === 0) return [];
  let reader: RecordBatchReader;
  try {
    reader = await RecordBatchReader.from(Buffer.concat(chunks));
  } catch {
    throw invalidArgument('DoPut parameters are not a valid Arrow IPC stream');
  }
  const rows: ParamValue[][] = [];
  for (const b of reader) rows.push(...parameterRows(b, types));
  return rows;
}

/** Keeps the query id of a failure for its message. */
class QueryIdError extends Error {
  constructor(
    readonly inner: unknown,
    readonly queryId: string,
  ) {
    super('query failed');
  }
}

/** Runs `fn`, tagging any failure with `queryId` (its message then ends with `[query_id=…]`). */
async function withQueryId<T>(queryId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof QueryIdError ? e : new QueryIdError(e, queryId);
  }
}

async function* concat(queries: PlannedQuery[], signal: AbortSignal): AsyncIterable<RecordBatch> {
  for (const q of queries) yield* q.execute(signal);
}

function write(call: grpc.ServerWritableStream<unknown, Buffer | FrameParts>, frame: Buffer | FrameParts, signal: AbortSignal): Promise<void> {
  if (call.write(frame)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done);
  });
}

function definedOnly(o: RequestOptions): RequestOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as RequestOptions;
}

/** `Basic <base64(user:password)>`, padded or not. */
export function parseBasic(authorization: string): { user: string; password: string } | undefined {
  const m = /^[ \t]*basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(authorization);
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export { FlightError };
