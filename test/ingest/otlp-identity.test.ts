import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  otlpProcessId, otlpStreamId, otlpProcessRow, otlpStreamRow, norm, parseRfc3339Ns,
} from '../../ingest/otlp-identity.js';

const MICROMEGAS_RESOURCE: Array<[string, string]> = [
  ['host.name', 'my-host'], ['service.name', 'my-service'], ['os.type', 'linux'], ['os.version', '5.15.0'],
  ['host.arch', 'x86_64'], ['service.version', '2.3.1'], ['telemetry.sdk.name', 'opentelemetry'],
  ['telemetry.sdk.language', 'rust'], ['telemetry.sdk.version', '0.28.0'], ['process.runtime.name', 'rustc'],
  ['process.runtime.version', '1.88.0'],
];

test('the process id of the spec resource matches Micromegas', () => {
  assert.equal(otlpProcessId(MICROMEGAS_RESOURCE, ''), '92267645-021b-5d0f-960b-c74719552658');
});

test('attribute order, case and surrounding whitespace of normalised fields do not change the process id', () => {
  const shuffled = [...MICROMEGAS_RESOURCE].reverse().map(([k, v]): [string, string] =>
    k === 'host.name' ? [k, '  MY-Host '] : [k, v]);
  assert.equal(otlpProcessId(shuffled, ''), '92267645-021b-5d0f-960b-c74719552658');
});

test('raw fields, a write scope and non-identity attributes behave as specified', () => {
  const base = otlpProcessId(MICROMEGAS_RESOURCE, '');
  assert.notEqual(otlpProcessId([...MICROMEGAS_RESOURCE, ['process.pid', '12']], ''), base);
  assert.notEqual(otlpProcessId([...MICROMEGAS_RESOURCE, ['process.pid', '12']], ''),
    otlpProcessId([...MICROMEGAS_RESOURCE, ['process.pid', '12 ']], ''));
  assert.notEqual(otlpProcessId(MICROMEGAS_RESOURCE, 'tenant-a'), base);
  assert.equal(otlpProcessId(MICROMEGAS_RESOURCE, 'tenant-a'), otlpProcessId(MICROMEGAS_RESOURCE, 'tenant-a'));
  assert.equal(otlpProcessId([...MICROMEGAS_RESOURCE, ['deployment.environment', 'prod']], ''), base);
});

test('the first attribute with a key is the one identity uses', () => {
  const a = otlpProcessId([['host.name', 'a'], ['host.name', 'b']], '');
  assert.equal(a, otlpProcessId([['host.name', 'a']], ''));
});

test('norm lowercases ASCII letters only', () => {
  assert.equal(norm(' ÀBC-İx '), 'Àbc-İx');
});

test('stream ids differ per signal and are stable', () => {
  const p = otlpProcessId(MICROMEGAS_RESOURCE, '');
  const ids = new Set(['logs', 'metrics', 'traces'].map((s) => otlpStreamId(p, s as 'logs')));
  assert.equal(ids.size, 3);
  assert.equal(otlpStreamId(p, 'logs'), otlpStreamId(p.toUpperCase(), 'logs'));
  assert.match(otlpStreamId(p, 'logs'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('the process row takes exe, owner, host and properties from the resource', () => {
  const attrs: Array<[string, string]> = [
    ['service.namespace', 'shop'], ['service.name', 'Checkout'], ['host.name', 'Web-1'],
    ['process.user.name', 'Alice'], ['os.description', 'Ubuntu 22.04'], ['host.cpu.model.name', 'EPYC'],
    ['z.key', '1'], ['a.key', 'first'], ['a.key', 'second'],
  ];
  const row = otlpProcessRow(attrs, '', 123n, 456n);
  assert.equal(row.process_id, otlpProcessId(attrs, ''));
  assert.equal(row.exe, 'shop/Checkout');
  assert.equal(row.username, 'Alice');
  assert.equal(row.realname, 'Alice');
  assert.equal(row.computer, 'Web-1');
  assert.equal(row.distro, 'Ubuntu 22.04');
  assert.equal(row.cpu_brand, 'EPYC');
  assert.equal(row.tsc_frequency, 1_000_000_000n);
  assert.equal(row.start_time, 123n);
  assert.equal(row.start_ticks, 123n);
  assert.equal(row.parent_process_id, null);
  assert.equal(row.insert_time, 456n);
  assert.deepEqual(Object.keys(row.properties), [
    'otel.resource.a.key', 'otel.resource.host.cpu.model.name', 'otel.resource.host.name',
    'otel.resource.os.description', 'otel.resource.process.user.name', 'otel.resource.service.name',
    'otel.resource.service.namespace', 'otel.resource.z.key',
  ]);
  assert.equal(row.properties['otel.resource.a.key'], 'second');
  assert.equal(otlpProcessRow([['service.name', 'svc']], '', 1n, 2n).exe, 'svc');
});

test('the process start time comes from process.creation.time in RFC 3339, exact to the nanosecond', () => {
  const row = otlpProcessRow([['process.creation.time', '2024-02-29T23:59:59.123456789+01:00']], '', 5n, 6n);
  assert.equal(row.start_time, 1709247599123456789n);
  const fallback = otlpProcessRow([['process.start_time', '2024-01-01T00:00:00Z']], '', 5n, 6n);
  assert.equal(fallback.start_time, 1704067200000000000n);
  assert.equal(otlpProcessRow([['process.creation.time', 'yesterday']], '', 5n, 6n).start_time, 5n);
});

test('RFC 3339 parsing handles offsets, lowercase separators, long fractions and invalid dates', () => {
  assert.equal(parseRfc3339Ns('1970-01-01T00:00:00Z'), 0n);
  assert.equal(parseRfc3339Ns('1969-12-31t23:59:59.5z'), -500_000_000n);
  assert.equal(parseRfc3339Ns('2000-03-01T00:00:00.1234567891-00:30'), 951870600123456789n);
  assert.equal(parseRfc3339Ns('2023-02-29T00:00:00Z'), undefined);
  assert.equal(parseRfc3339Ns('2023-01-01T00:00:00'), undefined);
  for (const iso of ['2001-09-09T01:46:40Z', '2038-01-19T03:14:08Z', '1900-01-01T00:00:00Z']) {
    assert.equal(parseRfc3339Ns(iso), BigInt(Date.parse(iso)) * 1_000_000n, iso);
  }
});

test('stream rows carry the Micromegas tags and the signal format', () => {
  const p = otlpProcessId(MICROMEGAS_RESOURCE, '');
  assert.deepEqual(otlpStreamRow(p, 'logs', 9n), {
    stream_id: otlpStreamId(p, 'logs'), process_id: p, tags: ['log'], properties: {}, format: 'otlp/v1/logs',
    dependencies_metadata: null, objects_metadata: null, insert_time: 9n,
  });
  assert.deepEqual(otlpStreamRow(p, 'metrics', 9n).tags, ['metrics']);
  assert.equal(otlpStreamRow(p, 'traces', 9n).format, 'otlp/v1/traces');
  assert.deepEqual(otlpStreamRow(p, 'traces', 9n).tags, ['trace']);
});
