// OTLP indexer throughput (records/s): the protobuf scanner against protobufjs' full decode, and
// the OTLP/JSON scanner and JSON segment → Arrow decode against JSON.parse of the same bytes, all
// measured in this run on one core. Usage: node --import tsx bench/scanner.ts
import { BENCH_DECODE_CONTEXT, makeLogsRequest } from './otlp-payloads.js';
import { indexOtlpProto } from '../decoders/otlp/index-proto.js';
import { indexOtlpJson } from '../decoders/otlp/index-json.js';
import { transcodeOtlpJsonSegment } from '../decoders/otlp/decode-json-input.js';
import { decodeOtlpLogs } from '../decoders/otlp/decode-logs.js';
import { LogsRequest, decodeLogsRequest } from '../test/helpers/otlp-proto.js';
import { encodeLogsJson } from '../test/helpers/otlp-json.js';

const RECORDS_PER_REQUEST = 1000;
const REQUESTS = 20;
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Records per second of `fn` over all payloads, median of RUNS after a warm-up. */
function measure(payloads: Uint8Array[], fn: (p: Uint8Array) => unknown): number {
  for (const p of payloads) fn(p);
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = process.hrtime.bigint();
    for (const p of payloads) fn(p);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push((payloads.length * RECORDS_PER_REQUEST) / secs);
  }
  return median(rates);
}

const payloads = Array.from({ length: REQUESTS }, (_, i) => makeLogsRequest(RECORDS_PER_REQUEST, { seed: i + 1, resourceIndex: i }));
const bytes = payloads.reduce((n, p) => n + p.length, 0);
const scanner = measure(payloads, (p) => indexOtlpProto('logs', p));
const protobufjs = measure(payloads, (p) => LogsRequest.decode(p));
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M records/s`;
console.log(`payload: ${REQUESTS} requests × ${RECORDS_PER_REQUEST} log records, ${(bytes / REQUESTS / 1024).toFixed(1)} KiB/request`);
console.log(`indexOtlpProto:    ${fmt(scanner)} (${((scanner * bytes) / (REQUESTS * RECORDS_PER_REQUEST) / 2 ** 20).toFixed(0)} MiB/s)`);
console.log(`protobufjs decode: ${fmt(protobufjs)}`);
console.log(`ratio scanner / protobufjs: ${(scanner / protobufjs).toFixed(1)}x`);

// JSON: the same requests as OTLP/JSON (decoded with protobufjs, re-encoded by the test helper).
const jsonPayloads = payloads.map((p) => encodeLogsJson(decodeLogsRequest(p)));
const jsonBytes = jsonPayloads.reduce((n, p) => n + p.length, 0);
const utf8 = new TextDecoder();
const jsonParse = measure(jsonPayloads, (p) => JSON.parse(utf8.decode(p)));
const jsonScanner = measure(jsonPayloads, (p) => indexOtlpJson('logs', p));
const CTX = BENCH_DECODE_CONTEXT;
const segments = jsonPayloads.map((p) => {
  const s = indexOtlpJson('logs', p).segments[0];
  return p.subarray(s.byteOffset, s.byteOffset + s.byteLength);
});
const segParse = measure(segments, (s) => JSON.parse(utf8.decode(s)));
const transcode = measure(segments, (s) => transcodeOtlpJsonSegment('logs', s));
const jsonDecode = measure(segments, (s) => {
  for (const b of decodeOtlpLogs(transcodeOtlpJsonSegment('logs', s), CTX, null)) void b;
});
const protoSegments = segments.map((s) => transcodeOtlpJsonSegment('logs', s));
const protoDecode = measure(protoSegments, (s) => {
  for (const b of decodeOtlpLogs(s, CTX, null)) void b;
});
console.log(`\nJSON payload: ${(jsonBytes / REQUESTS / 1024).toFixed(1)} KiB/request`);
console.log(`JSON.parse (utf8 decode + parse): ${fmt(jsonParse)}`);
console.log(`indexOtlpJson:                    ${fmt(jsonScanner)} (${((jsonScanner * jsonBytes) / (REQUESTS * RECORDS_PER_REQUEST) / 2 ** 20).toFixed(0)} MiB/s)`);
console.log(`ratio indexOtlpJson / JSON.parse: ${(jsonScanner / jsonParse).toFixed(2)}x`);
console.log(`JSON.parse of the segment:        ${fmt(segParse)}`);
console.log(`segment → protobuf transcode:     ${fmt(transcode)}`);
console.log(`segment → Arrow (all columns):    ${fmt(jsonDecode)}`);
console.log(`(protobuf segment → Arrow:         ${fmt(protoDecode)})`);
