// OTLP protobuf indexer throughput (records/s) against protobufjs' full decode of the same payload,
// both measured in this run on one core. Usage: node --import tsx bench/scanner.ts
import { makeLogsRequest } from './otlp-payloads.js';
import { indexOtlpProto } from '../decoders/otlp/index-proto.js';
import { LogsRequest } from '../test/helpers/otlp-proto.js';

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
