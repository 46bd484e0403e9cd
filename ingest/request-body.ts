// Receiving a request body over HTTP: Content-Length checked before reading, raw bytes capped while
// reading, Content-Encoding undone with the same cap, all bytes held counted against the budget.
import type { IncomingMessage } from 'node:http';
import { decodeContent, readBody, type ContentCoding } from './decompress.js';
import { PayloadTooLargeError } from './errors.js';
import type { InFlightBudget } from './limits.js';

export interface ReceivedBody {
  body: Buffer;
  /** Frees the bytes counted against the in-flight budget; call when the request is answered. */
  release(): void;
}

export async function receiveBody(
  raw: IncomingMessage,
  codings: readonly ContentCoding[],
  maxBytes: number,
  budget: InFlightBudget,
): Promise<ReceivedBody> {
  const declared = Number(raw.headers['content-length']);
  const hasLength = raw.headers['content-length'] !== undefined && Number.isFinite(declared);
  // Answered without reading the body; Node discards the unread bytes.
  if (hasLength && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const reservation = budget.reserve(hasLength ? declared : 0);
  try {
    const received = await readBody(raw, maxBytes, hasLength ? undefined : (n) => reservation.grow(n));
    let body = received;
    if (codings.length > 0) {
      body = await decodeContent(received, codings, maxBytes);
      reservation.grow(body.length);
    }
    return { body, release: () => reservation.release() };
  } catch (err) {
    reservation.release();
    throw err;
  }
}
