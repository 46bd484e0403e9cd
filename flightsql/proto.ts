// The Flight and Flight SQL protocol definitions: the gRPC service (proto-loader) and the message
// codecs (protobufjs) for the commands that travel inside google.protobuf.Any.
import { isAbsolute, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { packageRoot } from './package-root.js';

/** `proto/` of the package. */
export function protoDir(): string {
  return join(packageRoot(), 'proto');
}

const FILES = ['arrow/flight/Flight.proto', 'arrow/flight/FlightSql.proto'];
const SQL_PACKAGE = 'arrow.flight.protocol.sql';
export const TYPE_URL_PREFIX = `type.googleapis.com/${SQL_PACKAGE}.`;

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let cachedService: grpc.ServiceDefinition | undefined;

/** arrow.flight.protocol.FlightService with proto-loader codecs. */
export function flightServiceDefinition(): grpc.ServiceDefinition {
  if (!cachedService) {
    const def = protoLoader.loadSync(FILES, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { arrow: { flight: { protocol: { FlightService: grpc.ServiceClientConstructor } } } };
    cachedService = pkg.arrow.flight.protocol.FlightService.service;
  }
  return cachedService;
}

let cachedRoot: protobuf.Root | undefined;

function root(): protobuf.Root {
  if (!cachedRoot) {
    const r = new protobuf.Root();
    const base = protoDir();
    r.resolvePath = (_origin, target) => (isAbsolute(target) || target.startsWith('google/protobuf/') ? target : join(base, target));
    r.loadSync(['google/protobuf/any.proto', ...FILES.map((f) => join(base, f))], { keepCase: true });
    cachedRoot = r;
  }
  return cachedRoot;
}

/** A Flight SQL message type (`CommandGetTables`, …). */
export function sqlType(name: string): protobuf.Type {
  return root().lookupType(`${SQL_PACKAGE}.${name}`);
}

/** A Flight message type (`FlightData`, `Ticket`, …). */
export function flightType(name: string): protobuf.Type {
  return root().lookupType(`arrow.flight.protocol.${name}`);
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, bytes: Buffer as never, defaults: true, oneofs: true };

export function encodeSql(name: string, value: object): Buffer {
  const t = sqlType(name);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

export function decodeSql<T = Record<string, unknown>>(name: string, bytes: Uint8Array): T {
  const t = sqlType(name);
  const m = t.decode(bytes);
  // `optional` fields: absent stays undefined (defaults only for non-optional fields)
  const o = t.toObject(m, { ...TO_OBJECT, defaults: false });
  for (const f of t.fieldsArray) {
    if (o[f.name] === undefined && !f.options?.proto3_optional && !f.partOf) o[f.name] = f.repeated ? [] : f.map ? {} : defaultOf(f);
  }
  return o as T;
}

function defaultOf(f: protobuf.Field): unknown {
  switch (f.type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return f.resolvedType ? undefined : 0;
  }
}

/** google.protobuf.Any wrapping a Flight SQL message, with the exact type URL arrow-rs expects. */
export function packAny(name: string, value: object): Buffer {
  const any = root().lookupType('google.protobuf.Any');
  return Buffer.from(any.encode({ type_url: TYPE_URL_PREFIX + name, value: encodeSql(name, value) }).finish());
}

/** The message name (after the last `/` and package) and payload of an Any; undefined if not an Any. */
export function unpackAny(bytes: Uint8Array): { name: string; value: Uint8Array } | undefined {
  try {
    const any = root().lookupType('google.protobuf.Any');
    const m = any.toObject(any.decode(bytes), { bytes: Buffer as never }) as { type_url?: string; value?: Uint8Array };
    if (!m.type_url) return undefined;
    const tail = m.type_url.slice(m.type_url.lastIndexOf('/') + 1);
    const name = tail.slice(tail.lastIndexOf('.') + 1);
    return { name, value: m.value ?? new Uint8Array() };
  } catch {
    return undefined;
  }
}
