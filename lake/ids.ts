// Identifiers and blob keys of the storage model (DESIGN.md, otlp-mapping §3.1, §4.2-4.3).
import { createHash } from 'node:crypto';
import type { BlobFormat } from './types.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

export function uuidToBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

export function bytesToUuid(b: Uint8Array): string {
  const h = Buffer.from(b.buffer, b.byteOffset, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 4122 name-based UUID (SHA-1, version 5). */
export function uuidv5(namespace: string, name: string | Uint8Array): string {
  const h = createHash('sha1').update(uuidToBytes(namespace)).update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  return bytesToUuid(h);
}

/** Content-addressed OTLP block id: UUIDv8 over SHA-256(tag ‖ scope ‖ format ‖ body). */
export function otlpBlockId(scope: string, format: BlobFormat, body: Uint8Array): string {
  const h = createHash('sha256')
    .update('contrail.otlp.v1\x1f')
    .update(scope, 'utf8')
    .update('\x1f')
    .update(format, 'utf8')
    .update('\x1f')
    .update(body)
    .digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  return bytesToUuid(h);
}

/** `blobs/<format>/<yyyy>/<mm>/<dd>/<block_id>`, dated by arrival (UTC). */
export function blobKey(format: BlobFormat, insertTimeNs: bigint, blockId: string): string {
  const d = new Date(Number(insertTimeNs / 1_000_000n));
  const yyyy = String(d.getUTCFullYear()).padStart(4, '0');
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `blobs/${format}/${yyyy}/${mm}/${dd}/${blockId.toLowerCase()}`;
}

/** Current wall-clock time in Unix nanoseconds (microsecond resolution from the OS clock). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1_000_000));
}
