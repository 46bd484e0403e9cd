import { test } from 'node:test';
import assert from 'node:assert/strict';
import { otlpBlockId, blobKey, uuidv5 } from '../../lake/ids.js';

test('OTLP block id matches the spec test vector', () => {
  const body = new TextEncoder().encode('{"resourceLogs":[]}');
  assert.equal(otlpBlockId('', 'otlp-logs-json', body), '9ba3201e-8395-8c92-8027-50a35cb4e634');
});

test('a different scope gives a different block id for the same bytes', () => {
  const body = new TextEncoder().encode('{"resourceLogs":[]}');
  assert.notEqual(otlpBlockId('tenant-a', 'otlp-logs-json', body), otlpBlockId('', 'otlp-logs-json', body));
});

test('uuidv5 matches the RFC 4122 DNS example', () => {
  assert.equal(uuidv5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

test('blob keys are dated by arrival in UTC', () => {
  const t = BigInt(Date.UTC(2026, 0, 2, 23, 59)) * 1_000_000n;
  assert.equal(blobKey('otlp-logs-proto', t, 'ABC'), 'blobs/otlp-logs-proto/2026/01/02/abc');
});
