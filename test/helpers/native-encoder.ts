// Test encoder for the native ingestion format, written from native-format.md §3–§6: CBOR bodies
// (cborg) for ProcessInfo / StreamInfo / Block, LZ4 frames (lz4-napi frame API), both byte-field
// forms, plus raw CBOR building blocks for shapes cborg never emits (indefinite lengths, tags).
import { encode as cborgEncode } from 'cborg';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

export type Int = number | bigint;

export interface ProcessInfoInput {
  process_id: string;
  exe?: string;
  username?: string;
  realname?: string;
  computer?: string;
  distro?: string;
  cpu_brand?: string;
  tsc_frequency: Int;
  /** RFC 3339 text, as the Rust sink writes it. */
  start_time: string;
  start_ticks: Int;
  parent_process_id?: string | null;
  properties?: Record<string, string>;
}

export interface TransitMemberInput {
  name: string;
  type_name: string;
  offset: number;
  size: number;
  is_reference: boolean;
}

export interface TransitTypeInput {
  name: string;
  size: number;
  members: TransitMemberInput[];
  is_reference: boolean;
}

export interface StreamInfoInput {
  process_id: string;
  stream_id: string;
  dependencies_metadata: TransitTypeInput[];
  objects_metadata: TransitTypeInput[];
  tags?: string[];
  properties?: Record<string, string>;
}

export interface BlockInput {
  block_id: string;
  stream_id: string;
  process_id: string;
  begin_time: string;
  begin_ticks: Int;
  end_time: string;
  end_ticks: Int;
  object_offset: Int;
  nb_objects: Int;
  /** Decompressed transit buffers; each is LZ4-framed on encoding (empty stays empty). */
  dependencies: Uint8Array;
  objects: Uint8Array;
}

export interface BlockEncodeOptions {
  /** Emit byte fields as legacy arrays of uints (producers older than Micromegas v0.29). */
  legacyBytes?: boolean;
  /** Put `dependencies` / `objects` in the payload as given, without LZ4 framing. */
  rawPayloadFields?: boolean;
}

/** One standard LZ4 frame (magic 04 22 4D 18). */
export function lz4Frame(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(compressFrameSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
}

export function lz4Unframe(frame: Uint8Array): Uint8Array {
  return new Uint8Array(decompressFrameSync(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)));
}

export function encodeProcessInfo(p: ProcessInfoInput): Uint8Array {
  return encode({
    process_id: p.process_id,
    exe: p.exe ?? '',
    username: p.username ?? '',
    realname: p.realname ?? '',
    computer: p.computer ?? '',
    distro: p.distro ?? '',
    cpu_brand: p.cpu_brand ?? '',
    tsc_frequency: p.tsc_frequency,
    start_time: p.start_time,
    start_ticks: p.start_ticks,
    parent_process_id: p.parent_process_id ?? null,
    properties: p.properties ?? {},
  });
}

export function encodeStreamInfo(s: StreamInfoInput): Uint8Array {
  return encode({
    process_id: s.process_id,
    stream_id: s.stream_id,
    dependencies_metadata: s.dependencies_metadata,
    objects_metadata: s.objects_metadata,
    tags: s.tags ?? [],
    properties: s.properties ?? {},
  });
}

/** A standalone CBOR `BlockPayload` map. */
export function encodeBlockPayload(dependencies: Uint8Array, objects: Uint8Array, opts: BlockEncodeOptions = {}): Uint8Array {
  return encode(payloadValue(dependencies, objects, opts));
}

export function encodeBlock(b: BlockInput, opts: BlockEncodeOptions = {}): Uint8Array {
  return encode({
    block_id: b.block_id,
    stream_id: b.stream_id,
    process_id: b.process_id,
    begin_time: b.begin_time,
    begin_ticks: b.begin_ticks,
    end_time: b.end_time,
    end_ticks: b.end_ticks,
    payload: payloadValue(b.dependencies, b.objects, opts),
    object_offset: b.object_offset,
    nb_objects: b.nb_objects,
  });
}

/** Encodes any value with cborg (maps from plain objects, bigint as major 0/1 ints). */
export function encodeCbor(value: unknown): Uint8Array {
  return encode(value);
}

function payloadValue(dependencies: Uint8Array, objects: Uint8Array, opts: BlockEncodeOptions) {
  const field = (bytes: Uint8Array) => {
    const framed = opts.rawPayloadFields || bytes.length === 0 ? bytes : lz4Frame(bytes);
    return opts.legacyBytes ? Array.from(framed) : framed;
  };
  return { dependencies: field(dependencies), objects: field(objects) };
}

/** cborg returns a Buffer under Node; tests compare against plain Uint8Arrays. */
function encode(value: unknown): Uint8Array {
  const b = cborgEncode(value);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

// ---- raw CBOR building blocks ----

/** The head of a data item: major type and argument (any width), or indefinite length. */
export function cborHead(major: number, argument: Int | 'indefinite'): Uint8Array {
  const m = major << 5;
  if (argument === 'indefinite') return Uint8Array.of(m | 31);
  const v = BigInt(argument);
  if (v < 24n) return Uint8Array.of(m | Number(v));
  if (v < 0x100n) return Uint8Array.of(m | 24, Number(v));
  if (v < 0x10000n) return Uint8Array.of(m | 25, Number(v >> 8n), Number(v & 0xffn));
  const wide = v < 0x1_0000_0000n ? 4 : 8;
  const out = new Uint8Array(1 + wide);
  out[0] = m | (wide === 4 ? 26 : 27);
  for (let i = 0; i < wide; i++) out[wide - i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

export const CBOR_BREAK = Uint8Array.of(0xff);

export function cborText(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text);
  return concatBytes(cborHead(3, utf8.length), utf8);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An indefinite-length map of text keys to already-encoded values. */
export function indefiniteMap(entries: Array<[string, Uint8Array]>): Uint8Array {
  return concatBytes(cborHead(5, 'indefinite'), ...entries.flatMap(([k, v]) => [cborText(k), v]), CBOR_BREAK);
}

/** A byte string split into definite chunks inside an indefinite-length byte string. */
export function chunkedBytes(bytes: Uint8Array, chunkSize: number): Uint8Array {
  const parts: Uint8Array[] = [cborHead(2, 'indefinite')];
  for (let i = 0; i < bytes.length; i += chunkSize) {
    const chunk = bytes.subarray(i, i + chunkSize);
    parts.push(cborHead(2, chunk.length), chunk);
  }
  parts.push(CBOR_BREAK);
  return concatBytes(...parts);
}
