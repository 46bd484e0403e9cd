import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcStatus, TO_OBJECT } from '../helpers/otlp-proto.js';
import { ENCODE_PROTO, logsRequest } from './fixtures.js';
import { apiKeyAuth, JSON_CT, post, PROTO, startHttpIngest, tempBackends } from './harness.js';

const API_KEY = 'test-key-0123456789abcdef0123456789abcdef';

test('with API keys configured, a request without or with a wrong token gets 401 + WWW-Authenticate and a valid token is accepted', async () => {
  const keyDir = await tempBackends();
  const srv = await startHttpIngest({ auth: await apiKeyAuth(keyDir.dir, API_KEY) });
  try {
    const body = ENCODE_PROTO.logs(logsRequest('auth'));
    const url = `${srv.url}/v1/logs`;
    for (const authorization of [undefined, 'Bearer wrong-key', 'Basic abc']) {
      const res = await post(url, body, { ...PROTO, ...(authorization ? { authorization } : {}) });
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.equal((RpcStatus.toObject(RpcStatus.decode(res.body), TO_OBJECT) as { code: number }).code, 16);
    }
    const json = await post(url, '{}', { ...JSON_CT, authorization: 'Bearer nope' });
    assert.equal(json.status, 401);
    assert.equal(JSON.parse(json.body.toString()).code, 16);
    const native = await post(`${srv.url}/ingestion/insert_process`, Buffer.from([0xa0]));
    assert.equal(native.status, 401);
    assert.equal((await srv.catalog.listBlocks()).length, 0);

    const ok = await post(url, body, { ...PROTO, authorization: `Bearer ${API_KEY}` });
    assert.equal(ok.status, 200);
    assert.equal((await srv.catalog.listBlocks()).length, 1);
  } finally {
    await srv.close();
    await keyDir.close();
  }
});

test('when the blob store fails the client gets 503 + Retry-After, nothing is recorded, and a retry after recovery succeeds', async () => {
  const srv = await startHttpIngest();
  try {
    const body = ENCODE_PROTO.logs(logsRequest('faulty'));
    srv.blobs.failing = true;
    const res = await post(`${srv.url}/v1/logs`, body, PROTO);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal((RpcStatus.toObject(RpcStatus.decode(res.body), TO_OBJECT) as { code: number }).code, 14);
    assert.equal((await srv.catalog.listBlocks()).length, 0);

    srv.blobs.failing = false;
    assert.equal((await post(`${srv.url}/v1/logs`, body, PROTO)).status, 200);
    assert.equal((await srv.catalog.listBlocks()).length, 1);
  } finally {
    await srv.close();
  }
});

test('/health answers ok and /ready reports which backend is down', async () => {
  const srv = await startHttpIngest();
  try {
    const health = await fetch(`${srv.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });

    assert.equal((await fetch(`${srv.url}/ready`)).status, 200);

    srv.blobs.failing = true;
    const blobDown = await fetch(`${srv.url}/ready`);
    assert.equal(blobDown.status, 503);
    assert.deepEqual(((await blobDown.json()) as { failed: string[] }).failed, ['blob store']);
    srv.blobs.failing = false;

    await srv.catalog.close();
    const catalogDown = await fetch(`${srv.url}/ready`);
    assert.equal(catalogDown.status, 503);
    assert.deepEqual(((await catalogDown.json()) as { failed: string[] }).failed, ['catalog']);
    // A request arriving while the catalog is down is a retryable 503, not a crash.
    const res = await post(`${srv.url}/v1/logs`, ENCODE_PROTO.logs(logsRequest('closed')), PROTO);
    assert.equal(res.status, 503);
    assert.ok(res.headers.get('retry-after'));
    assert.equal((await fetch(`${srv.url}/health`)).status, 200);
  } finally {
    await srv.close();
  }
});

test('when the in-flight byte budget is exhausted a request gets 429 + Retry-After, and a client that goes away frees its share', async () => {
  const srv = await startHttpIngest({ limits: { maxInFlightBytes: 1024 } });
  try {
    // Hold the budget with a request whose body never finishes arriving.
    const abort = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(900));
      },
    });
    const first = fetch(`${srv.url}/v1/logs`, {
      method: 'POST',
      body: stalled,
      headers: { ...PROTO, 'content-length': '1800' },
      duplex: 'half',
      signal: abort.signal,
    } as RequestInit).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const res = await post(`${srv.url}/v1/logs`, Buffer.alloc(500), PROTO);
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.equal((RpcStatus.toObject(RpcStatus.decode(res.body), TO_OBJECT) as { code: number }).code, 8);

    abort.abort();
    await first;
    await new Promise((r) => setTimeout(r, 100));
    const later = await post(`${srv.url}/v1/logs`, '{"resourceLogs":[]}', JSON_CT);
    assert.equal(later.status, 200);
  } finally {
    await srv.close();
  }
});

test('CORS is off by default and answers preflight for configured origins', async () => {
  const plain = await startHttpIngest();
  try {
    const res = await fetch(`${plain.url}/v1/traces`, { method: 'OPTIONS', headers: { origin: 'http://app.example' } });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  } finally {
    await plain.close();
  }
  const cors = await startHttpIngest({ corsOrigins: ['http://app.example'] });
  try {
    const preflight = await fetch(`${cors.url}/v1/traces`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://app.example');
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
    const denied = await fetch(`${cors.url}/v1/traces`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const posted = await post(`${cors.url}/v1/logs`, '{"resourceLogs":[]}', { ...JSON_CT, origin: 'http://app.example' });
    assert.equal(posted.status, 200);
    assert.equal(posted.headers.get('access-control-allow-origin'), 'http://app.example');
  } finally {
    await cors.close();
  }
});
