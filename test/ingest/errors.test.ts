import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OidcUnavailableError } from '../../auth/oidc.js';
import { AuthError } from '../../auth/types.js';
import { MalformedPayloadError } from '../../decoders/types.js';
import { answerFor, BackendUnavailableError, BackpressureError, PayloadTooLargeError, UnsupportedMediaError } from '../../ingest/errors.js';

test('each failure maps to the HTTP status and google.rpc code of the OTLP table, with Retry-After only where retrying helps', () => {
  const cases: Array<[unknown, number, number, number | undefined]> = [
    [new MalformedPayloadError('bad'), 400, 3, undefined],
    [new AuthError('no'), 401, 16, undefined],
    [new PayloadTooLargeError(10), 413, 8, undefined],
    [new UnsupportedMediaError('x'), 415, 3, undefined],
    [new BackpressureError(2), 429, 8, 2],
    [new BackendUnavailableError('catalog', new Error('down')), 503, 14, 9],
    [new OidcUnavailableError('jwks down'), 503, 14, 9],
    [new TypeError('bug'), 500, 13, undefined],
  ];
  for (const [err, http, code, retry] of cases) {
    const answer = answerFor(err, 9);
    assert.equal(answer.httpStatus, http, String(err));
    assert.equal(answer.rpcCode, code, String(err));
    assert.equal(answer.retryAfterSeconds, retry, String(err));
  }
});

test('an unexpected error never leaks its message to the client', () => {
  const answer = answerFor(new Error('password=hunter2 at /secret/path'), 5);
  assert.equal(answer.message, 'internal error');
  assert.equal(answer.unexpected, true);
});
