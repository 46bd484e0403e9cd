// Many distinct OTLP logs requests from a small pool of generated ones. Generating a realistic
// request costs far more than ingesting it, so load generators build a pool once and make every
// request distinct (nothing dedups on the content-addressed block id) by appending an unknown
// top-level protobuf field (number 1000, 12 bytes: a 4-byte run nonce + an 8-byte counter).
// OTLP receivers and decoders skip unknown fields, so each request stays a valid
// ExportLogsServiceRequest with the pool payload's records.
import { randomBytes } from 'node:crypto';
import { makeLogsRequest } from './otlp-payloads.js';

export class LogsPayloadPool {
  readonly payloads: Buffer[];
  private readonly nonce = randomBytes(4);
  private counter = 0;

  /** `size` requests of `recordsPerRequest` records, seeds 1…size, spread over `processes` resources. */
  constructor(size: number, recordsPerRequest: number, processes: number) {
    this.payloads = Array.from({ length: size }, (_, i) =>
      Buffer.from(makeLogsRequest(recordsPerRequest, { seed: i + 1, resourceIndex: i % processes })),
    );
  }

  /** The next pool payload (round robin) with a unique trailing field. */
  next(): Buffer {
    const base = this.payloads[this.counter % this.payloads.length];
    const suffix = Buffer.alloc(2 + 1 + 12);
    suffix[0] = 0xc2; // field 1000, wire type 2: tag varint 0xC2 0x3E
    suffix[1] = 0x3e;
    suffix[2] = 12;
    this.nonce.copy(suffix, 3);
    suffix.writeBigUInt64BE(BigInt(this.counter++), 7);
    return Buffer.concat([base, suffix]);
  }
}
