import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decode } from 'cborg';
import { CborReader } from '../../decoders/native/cbor-reader.js';
import {
  parseBlockEnvelope,
  parseProcessInfo,
  parseRfc3339Nanos,
  parseStreamInfo,
  parseTransitTypes,
} from '../../decoders/native/envelope.js';
import { MalformedPayloadError } from '../../decoders/types.js';
import {
  type BlockInput,
  type StreamInfoInput,
  cborHead,
  cborText,
  chunkedBytes,
  concatBytes,
  encodeBlock,
  encodeCbor,
  encodeProcessInfo,
  encodeStreamInfo,
  indefiniteMap,
  lz4Frame,
  lz4Unframe,
} from '../helpers/native-encoder.js';

const PROCESS = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const STREAM = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const BLOCK = '0f0e0d0c-0b0a-4908-8706-050403020100';

const objects = new TextEncoder().encode('object bytes '.repeat(20));
const dependencies = new TextEncoder().encode('dependency bytes '.repeat(10));

function block(overrides: Partial<BlockInput> = {}): BlockInput {
  return {
    block_id: BLOCK,
    stream_id: STREAM,
    process_id: PROCESS,
    begin_time: '2026-08-21T16:53:43.123456789+00:00',
    begin_ticks: 1000n,
    end_time: '2026-08-21T16:53:44Z',
    end_ticks: 2_000_000_000n,
    object_offset: 42n,
    nb_objects: 7,
    dependencies,
    objects,
    ...overrides,
  };
}

const logStream: StreamInfoInput = {
  process_id: PROCESS,
  stream_id: STREAM,
  tags: ['log'],
  properties: { 'thread-id': '7' },
  dependencies_metadata: [
    { name: 'StaticStringDependency', size: 0, members: [], is_reference: false },
    {
      name: 'StaticStringRef',
      size: 16,
      is_reference: true,
      members: [{ name: 'id', type_name: 'u64', offset: 0, size: 8, is_reference: true }],
    },
  ],
  objects_metadata: [{ name: 'LogStringInteropEventV3', size: 0, members: [], is_reference: false }],
};

/** Asserts that `fn` throws a MalformedPayloadError whose message matches `message`. */
function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MalformedPayloadError, `expected MalformedPayloadError, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

/** Re-encodes a decoded body map after `edit` (cborg keeps bigints exact with useMaps off). */
function editBody(body: Uint8Array, edit: (m: Record<string, unknown>) => void): Uint8Array {
  const m = decode(body, { useMaps: false }) as Record<string, unknown>;
  edit(m);
  return encodeCbor(m);
}

describe('ProcessInfo', () => {
  test('every field round-trips, with i64 values beyond 2^53 kept exact', () => {
    const info = parseProcessInfo(
      encodeProcessInfo({
        process_id: PROCESS.toUpperCase(),
        exe: '/usr/bin/game',
        username: 'ana',
        realname: 'Ana',
        computer: 'box',
        distro: 'Linux 6.1',
        cpu_brand: 'Zen 4',
        tsc_frequency: 2n ** 62n + 1n,
        start_time: '2026-08-21T16:53:43.123456789+00:00',
        start_ticks: -(2n ** 63n),
        parent_process_id: STREAM,
        properties: { 'build.id': '1234', 'contrail.ingest': 'spoofed' },
      }),
    );
    assert.deepEqual(info, {
      process_id: PROCESS,
      exe: '/usr/bin/game',
      username: 'ana',
      realname: 'Ana',
      computer: 'box',
      distro: 'Linux 6.1',
      cpu_brand: 'Zen 4',
      tsc_frequency: 2n ** 62n + 1n,
      start_time: 1787331223123456789n,
      start_ticks: -(2n ** 63n),
      parent_process_id: STREAM,
      properties: { 'build.id': '1234' },
    });
  });

  test('optional keys default when absent, and an empty parent id means no parent', () => {
    const minimal = encodeCbor({ process_id: PROCESS, tsc_frequency: 0, start_time: '1970-01-01T00:00:00Z', start_ticks: 5 });
    const info = parseProcessInfo(minimal);
    assert.equal(info.exe, '');
    assert.equal(info.cpu_brand, '');
    assert.equal(info.parent_process_id, null);
    assert.deepEqual(info.properties, {});
    const emptyParent = editBody(minimal, (m) => (m.parent_process_id = ''));
    assert.equal(parseProcessInfo(emptyParent).parent_process_id, null);
  });

  test('a property key "__proto__" is kept as an ordinary property', () => {
    const body = encodeCbor({ process_id: PROCESS, tsc_frequency: 1, start_time: '2026-01-01T00:00:00Z', start_ticks: 0, properties: { ['__proto__']: 'x' } });
    const info = parseProcessInfo(body);
    assert.equal(Object.getOwnPropertyDescriptor(info.properties, '__proto__')?.value, 'x');
  });

  test('missing required keys and bad values are rejected naming the field', () => {
    const good = encodeProcessInfo({ process_id: PROCESS, tsc_frequency: 1, start_time: '2026-01-01T00:00:00Z', start_ticks: 0 });
    rejects(() => parseProcessInfo(editBody(good, (m) => delete m.process_id)), /^insert_process: missing required key process_id$/);
    rejects(() => parseProcessInfo(editBody(good, (m) => delete m.start_ticks)), /missing required key start_ticks/);
    rejects(() => parseProcessInfo(editBody(good, (m) => (m.process_id = 'not-a-uuid'))), /^insert_process: process_id must be a hyphenated UUID$/);
    rejects(() => parseProcessInfo(editBody(good, (m) => (m.parent_process_id = 'nope'))), /parent_process_id must be a hyphenated UUID/);
    rejects(() => parseProcessInfo(editBody(good, (m) => (m.start_time = 'yesterday'))), /^insert_process: start_time must be an RFC 3339 time/);
    rejects(() => parseProcessInfo(editBody(good, (m) => (m.tsc_frequency = 2n ** 63n))), /tsc_frequency exceeds the i64 range/);
    rejects(() => parseProcessInfo(editBody(good, (m) => (m.tsc_frequency = '1000'))), /tsc_frequency must be an integer/);
    rejects(() => parseProcessInfo(editBody(good, (m) => (m.properties = { a: 1 }))), /properties\.a must be text/);
    rejects(() => parseProcessInfo(editBody(good, (m) => (m.exe = 3))), /^insert_process: exe must be text$/);
  });
});

describe('StreamInfo', () => {
  test('descriptors are kept as the raw CBOR bytes of those values and parse back to the same types', () => {
    const body = encodeStreamInfo(logStream);
    const info = parseStreamInfo(body);
    assert.equal(info.process_id, PROCESS);
    assert.equal(info.stream_id, STREAM);
    assert.deepEqual(info.tags, ['log']);
    assert.deepEqual(info.properties, { 'thread-id': '7' });
    assert.deepEqual(info.dependencies_metadata, encodeCbor(logStream.dependencies_metadata));
    assert.deepEqual(info.objects_metadata, encodeCbor(logStream.objects_metadata));
    assert.deepEqual(parseTransitTypes(info.dependencies_metadata), logStream.dependencies_metadata);
    assert.deepEqual(parseTransitTypes(info.objects_metadata), logStream.objects_metadata);
  });

  test('tags and properties default to empty', () => {
    const body = encodeCbor({ process_id: PROCESS, stream_id: STREAM, dependencies_metadata: [], objects_metadata: [] });
    const info = parseStreamInfo(body);
    assert.deepEqual(info.tags, []);
    assert.deepEqual(info.properties, {});
    assert.deepEqual(info.objects_metadata, Uint8Array.of(0x80));
  });

  test('malformed descriptors are rejected naming the descriptor and member', () => {
    const good = encodeStreamInfo(logStream);
    const withDeps = (deps: unknown) => editBody(good, (m) => (m.dependencies_metadata = deps));
    rejects(() => parseStreamInfo(withDeps({})), /^insert_stream: dependencies_metadata must be an array of descriptors$/);
    rejects(() => parseStreamInfo(withDeps([{ size: 0, members: [], is_reference: false }])), /^insert_stream: dependencies_metadata\[0\] is missing name$/);
    rejects(() => parseStreamInfo(withDeps([{ name: 'X', members: [], is_reference: false }])), /dependencies_metadata\[0\] is missing size/);
    rejects(
      () => parseStreamInfo(withDeps([{ name: 'X', size: 8, is_reference: false, members: [{ name: 'a', type_name: 'u64', offset: 'zero', size: 8, is_reference: false }] }])),
      /dependencies_metadata\[0\]\.members\[0\]\.offset must be an integer/,
    );
    rejects(
      () => parseStreamInfo(withDeps([{ name: 'X', size: 8, is_reference: false, members: [{ name: 'a', type_name: 'u64', offset: 0, size: 1.5, is_reference: false }] }])),
      /members\[0\]\.size must be an integer/,
    );
    rejects(() => parseStreamInfo(editBody(good, (m) => delete m.objects_metadata)), /missing required key objects_metadata/);
    rejects(() => parseStreamInfo(editBody(good, (m) => (m.tags = ['log', 3]))), /^insert_stream: tags\[1\] must be text$/);
  });
});

describe('Block envelope', () => {
  test('every field round-trips and the payload range slices out a standalone BlockPayload', () => {
    const body = encodeBlock(block());
    const env = parseBlockEnvelope(body);
    assert.equal(env.block_id, BLOCK);
    assert.equal(env.stream_id, STREAM);
    assert.equal(env.process_id, PROCESS);
    assert.equal(env.begin_time, 1787331223123456789n);
    assert.equal(env.end_time, 1787331224000000000n);
    assert.equal(env.begin_ticks, 1000n);
    assert.equal(env.end_ticks, 2_000_000_000n);
    assert.equal(env.object_offset, 42n);
    assert.equal(env.nb_objects, 7);
    const payload = decode(body.subarray(env.payloadOffset, env.payloadOffset + env.payloadLength)) as Record<string, Uint8Array>;
    assert.deepEqual(lz4Unframe(payload.objects), objects);
    assert.deepEqual(lz4Unframe(payload.dependencies), dependencies);
  });

  test('legacy byte-array payload fields are accepted and their range reads back with the CBOR reader', () => {
    const body = encodeBlock(block(), { legacyBytes: true });
    const env = parseBlockEnvelope(body);
    const r = new CborReader(body, env.payloadOffset, env.payloadOffset + env.payloadLength);
    const got: Record<string, Uint8Array> = {};
    r.readMap((key) => (got[key] = r.readBytes()));
    r.expectEnd();
    assert.deepEqual(lz4Unframe(got.objects), objects);
    assert.deepEqual(lz4Unframe(got.dependencies), dependencies);
  });

  test('empty byte fields are valid (an empty buffer)', () => {
    const env = parseBlockEnvelope(encodeBlock(block({ dependencies: new Uint8Array(0), nb_objects: 0 })));
    assert.equal(env.nb_objects, 0);
  });

  test('indefinite-length maps, chunked byte and text strings and tags are all accepted', () => {
    const depsFrame = lz4Frame(dependencies);
    const payload = indefiniteMap([
      ['dependencies', chunkedBytes(depsFrame, 7)],
      ['objects', concatBytes(cborHead(4, 'indefinite'), ...Array.from(lz4Frame(objects), (b) => cborHead(0, b)), Uint8Array.of(0xff))],
    ]);
    const chunkedText = concatBytes(cborHead(3, 'indefinite'), cborText(STREAM.slice(0, 10)), cborText(STREAM.slice(10)), Uint8Array.of(0xff));
    const tagged = (tag: number, item: Uint8Array) => concatBytes(cborHead(6, tag), item);
    const body = tagged(
      55799, // self-described CBOR
      indefiniteMap([
        ['block_id', cborText(BLOCK)],
        ['stream_id', chunkedText],
        ['process_id', cborText(PROCESS)],
        ['begin_time', tagged(0, cborText('2026-08-21T16:53:43Z'))],
        ['begin_ticks', tagged(1234, cborHead(0, 2n ** 60n + 3n))],
        ['end_time', cborText('2026-08-21T16:53:44Z')],
        ['end_ticks', cborHead(0, 2n ** 60n + 5n)],
        ['payload', payload],
        ['unknown', encodeCbor({ nested: [1, 2, { x: null }] })],
        ['object_offset', cborHead(0, 9007199254740993n)],
        ['nb_objects', cborHead(0, 3)],
      ]),
    );
    const env = parseBlockEnvelope(body);
    assert.equal(env.stream_id, STREAM);
    assert.equal(env.begin_ticks, 2n ** 60n + 3n);
    assert.equal(env.object_offset, 9007199254740993n);
    const r = new CborReader(body, env.payloadOffset, env.payloadOffset + env.payloadLength);
    const got: Record<string, Uint8Array> = {};
    r.readMap((key) => (got[key] = r.readBytes()));
    r.expectEnd();
    assert.deepEqual(got.dependencies, depsFrame);
    assert.deepEqual(lz4Unframe(got.objects), objects);
  });

  test('each invalid field is rejected with a message naming it', () => {
    const good = encodeBlock(block());
    const edited = (edit: (m: Record<string, unknown>) => void) => () => parseBlockEnvelope(editBody(good, edit));
    rejects(edited((m) => (m.block_id = 'xyz')), /^insert_block: block_id must be a hyphenated UUID$/);
    rejects(edited((m) => (m.stream_id = `${STREAM}0`)), /^insert_block: stream_id must be a hyphenated UUID$/);
    rejects(edited((m) => delete m.nb_objects), /^insert_block: missing required key nb_objects$/);
    rejects(edited((m) => delete m.payload), /^insert_block: missing required key payload$/);
    rejects(edited((m) => (m.nb_objects = -1)), /^insert_block: nb_objects must be >= 0$/);
    rejects(edited((m) => (m.nb_objects = 2 ** 31)), /^insert_block: nb_objects exceeds the i32 range$/);
    rejects(edited((m) => (m.object_offset = -5)), /^insert_block: object_offset must be >= 0$/);
    rejects(edited((m) => (m.end_time = '2026-08-21T16:53:43Z')), /^insert_block: end_time must be >= begin_time$/);
    rejects(edited((m) => (m.begin_time = '2026-02-30T00:00:00Z')), /^insert_block: begin_time must be an RFC 3339 time/);
    rejects(edited((m) => ((m.payload as Record<string, unknown>).objects = Uint8Array.of(1, 2, 3, 4, 5))), /^insert_block: payload\.objects is not an LZ4 frame/);
    rejects(edited((m) => ((m.payload as Record<string, unknown>).dependencies = [4, 0x22, 0x4d, 0x19])), /^insert_block: payload\.dependencies is not an LZ4 frame/);
    rejects(edited((m) => delete (m.payload as Record<string, unknown>).objects), /^insert_block: payload is missing objects$/);
    rejects(edited((m) => (m.payload = 'x')), /^insert_block: payload must be a map$/);
    rejects(edited((m) => ((m.payload as Record<string, unknown>).objects = [4, 0x22, 0x4d, 0x18, 256])), /^insert_block: payload\.objects: .*legacy byte array item/);
    rejects(edited((m) => ((m.payload as Record<string, unknown>).objects = [4, 0x22, 0x4d, 0x18, 'a'])), /^insert_block: payload\.objects: .*legacy byte array item/);
    rejects(edited((m) => ((m.payload as Record<string, unknown>).objects = [4, 0x22, 0x4d, 0x18, -1])), /^insert_block: payload\.objects: .*legacy byte array item/);
  });

  test('bodies that are not a single CBOR map are rejected', () => {
    const good = encodeBlock(block());
    rejects(() => parseBlockEnvelope(new Uint8Array(0)), /^insert_block: empty body$/);
    rejects(() => parseBlockEnvelope(encodeCbor([1, 2])), /^insert_block: body must be a CBOR map$/);
    rejects(() => parseBlockEnvelope(concatBytes(good, Uint8Array.of(0))), /^insert_block: body: .*1 trailing byte/);
    rejects(() => parseBlockEnvelope(good.subarray(0, good.length - 1)), /^insert_block: .*truncated/);
    const dup = concatBytes(cborHead(5, 2), cborText('block_id'), cborText(BLOCK), cborText('block_id'), cborText(BLOCK));
    rejects(() => parseBlockEnvelope(dup), /^insert_block: duplicate key block_id$/);
  });

  test('huge declared lengths are rejected before anything is allocated', () => {
    const huge = [
      concatBytes(cborHead(2, 2n ** 62n), Uint8Array.of(4, 0x22)), // byte string
      concatBytes(cborHead(4, 2n ** 32n), cborHead(0, 4)), // legacy byte array
      concatBytes(cborHead(2, 'indefinite'), cborHead(2, 2n ** 40n), Uint8Array.of(4)), // chunk
    ];
    for (const objectsField of huge) {
      const body = indefiniteMap([
        ['payload', indefiniteMap([['objects', objectsField]])],
      ]);
      const before = process.memoryUsage().arrayBuffers;
      rejects(() => parseBlockEnvelope(body), /^insert_block: payload\.objects: .*exceeds the remaining/);
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
    }
    rejects(() => parseBlockEnvelope(concatBytes(cborHead(5, 2n ** 40n), cborText('a'))), /^insert_block: body: .*map of \d+ entries exceeds the remaining/);
  });

  test('deeply nested unknown values are rejected by the nesting bound, not the stack', () => {
    const deep = concatBytes(new Uint8Array(100_000).fill(0x81), Uint8Array.of(0));
    rejects(() => parseBlockEnvelope(indefiniteMap([['junk', deep]])), /^insert_block: junk: .*nesting deeper than/);
    const deepIndefinite = concatBytes(new Uint8Array(50_000).fill(0x9f), new Uint8Array(50_000).fill(0xff));
    rejects(() => parseBlockEnvelope(indefiniteMap([['junk', deepIndefinite]])), /nesting deeper than/);
  });

  test('truncations and bit flips of a real body give MalformedPayloadError or a valid envelope, nothing else', () => {
    const bodies = [encodeBlock(block()), encodeBlock(block(), { legacyBytes: true })];
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    let accepted = 0;
    let rejected = 0;
    const attempt = (bytes: Uint8Array) => {
      try {
        parseBlockEnvelope(bytes);
        accepted++;
      } catch (e) {
        if (!(e instanceof MalformedPayloadError)) throw e;
        rejected++;
      }
    };
    for (const body of bodies) {
      for (let len = 0; len < body.length; len += Math.max(1, Math.floor(body.length / 500))) attempt(body.subarray(0, len));
      for (let i = 0; i < 1500; i++) {
        const copy = body.slice();
        const flips = 1 + Math.floor(random() * 3);
        for (let f = 0; f < flips; f++) copy[Math.floor(random() * copy.length)] ^= 1 << Math.floor(random() * 8);
        attempt(copy);
      }
    }
    assert.ok(rejected > 1000, `rejected ${rejected}`);
    assert.ok(accepted > 0, `accepted ${accepted}`);
  });
});

describe('parseRfc3339Nanos', () => {
  test('parses Z and offset forms exactly to the nanosecond', () => {
    assert.equal(parseRfc3339Nanos('1970-01-01T00:00:00Z'), 0n);
    assert.equal(parseRfc3339Nanos('1970-01-01T00:00:00.000000001Z'), 1n);
    assert.equal(parseRfc3339Nanos('2026-08-21T16:53:43.123456789+00:00'), 1787331223123456789n);
    assert.equal(parseRfc3339Nanos('2026-08-21T18:53:43.1234+02:00'), 1787331223123400000n);
    assert.equal(parseRfc3339Nanos('2026-08-21T11:23:43.5-05:30'), 1787331223500000000n);
    assert.equal(parseRfc3339Nanos('1969-12-31T23:59:59.999999999Z'), -1n);
    assert.equal(parseRfc3339Nanos('2024-02-29t12:00:00z'), BigInt(Date.UTC(2024, 1, 29, 12)) * 1_000_000n);
    assert.equal(parseRfc3339Nanos('0001-01-01T00:00:00Z'), BigInt(new Date('0001-01-01T00:00:00Z').getTime()) * 1_000_000n);
    assert.equal(parseRfc3339Nanos('9999-12-31T23:59:59.999999999Z'), BigInt(new Date('9999-12-31T23:59:59Z').getTime()) * 1_000_000n + 999_999_999n);
  });

  test('rejects malformed or impossible times', () => {
    for (const bad of ['2026-08-21', '2026-08-21T16:53:43', '2023-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-08-21T24:00:00Z', '2026-08-21T16:53:43+2:00', ' 2026-08-21T16:53:43Z']) {
      assert.throws(() => parseRfc3339Nanos(bad), MalformedPayloadError, bad);
    }
  });
});

describe('CborReader', () => {
  test('reads integers of every width exactly, including -2^64 and 2^64-1', () => {
    const values = [0n, 23n, 24n, 255n, 65535n, 2n ** 32n - 1n, 2n ** 53n + 1n, 2n ** 64n - 1n, -1n, -(2n ** 64n)];
    for (const v of values) {
      const bytes = v >= 0n ? cborHead(0, v) : cborHead(1, -1n - v);
      const r = new CborReader(bytes);
      assert.equal(r.readInt(), v);
      r.expectEnd();
    }
  });

  test('skip reports the byte range of any item, floats and simple values included', () => {
    const item = encodeCbor({ a: [1.5, true, null, 'x', new Uint8Array(3)], b: -7n });
    const bytes = concatBytes(item, Uint8Array.of(0x01));
    const r = new CborReader(bytes);
    assert.deepEqual(r.skip(), [0, item.length]);
    assert.equal(r.readInt(), 1n);
    r.expectEnd();
  });
});
