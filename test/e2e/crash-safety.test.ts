// kill -9 during a concurrent OTLP load: every request acknowledged with 200 survives intact, and no
// catalog row points to a missing blob; the server restarts on the same data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { makeLogsRequest } from '../../bench/otlp-payloads.js';
import { otlpBlockId } from '../../lake/ids.js';
import { postProtobuf } from '../helpers/protobuf-post.js';
import { startServer, removeDir, type ServerHandle } from './helpers/server.js';
import { openLake, assertLakeConsistent, type OpenedLake } from './helpers/lake.js';

const RECORDS_PER_REQUEST = 50;
const MAX_REQUESTS = 400;
const CONCURRENCY = 8;
/** Kill once this many requests were acknowledged (or after KILL_AFTER_MS, whichever is first). */
const KILL_AFTER_ACKS = 60;
const KILL_AFTER_MS = 8_000;

const post = (port: number, agent: http.Agent, body: Uint8Array) => postProtobuf(new URL(`http://127.0.0.1:${port}/v1/logs`), agent, body);

test('requests acknowledged before a kill -9 are fully stored, and nothing dangles', { timeout: 120_000 }, async () => {
  let server: ServerHandle | undefined = await startServer();
  const dataDir = server.dataDir;
  let lake: OpenedLake | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const acked: Uint8Array[] = [];
    const statuses = new Map<number, number>();
    let failed = 0;
    let next = 0;
    let killed = false;
    const port = server.httpPort;
    const victim = server;
    const kill = async () => {
      if (killed) return;
      killed = true;
      await victim.kill9();
    };
    const killTimer = setTimeout(() => void kill(), KILL_AFTER_MS);

    const worker = async () => {
      while (!killed && next < MAX_REQUESTS) {
        const seed = ++next;
        const body = makeLogsRequest(RECORDS_PER_REQUEST, { seed, resourceIndex: seed % 5 });
        try {
          const status = await post(port, agent, body);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 200) {
            acked.push(body);
            if (acked.length >= KILL_AFTER_ACKS) void kill();
          }
        } catch {
          failed++; // connection reset / refused once the server is gone
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearTimeout(killTimer);
    await kill();
    agent.destroy();

    assert.ok(acked.length > 0, `some requests were acknowledged before the kill (statuses ${JSON.stringify([...statuses])})`);
    for (const status of statuses.keys()) assert.ok(status === 200 || status === 503, `unexpected status ${status}`);

    // Restart on the same data directory: the catalog opens and the server takes requests again.
    server = await startServer({ dataDir });
    const after = makeLogsRequest(RECORDS_PER_REQUEST, { seed: 1_000_000 });
    const afterAgent = new http.Agent({ keepAlive: false });
    assert.equal(await post(server.httpPort, afterAgent, after), 200, 'the restarted server ingests');
    acked.push(after);

    lake = await openLake(undefined, undefined, { dataDir });
    const { blocks, segments } = await assertLakeConsistent(lake);
    for (const body of acked) {
      const blockId = otlpBlockId('', 'otlp-logs-proto', body);
      const block = await lake.catalog.getBlock(blockId);
      assert.ok(block, `acknowledged block ${blockId} is in the catalog`);
      assert.equal(block.nb_objects, RECORDS_PER_REQUEST);
      const stored = await lake.blobs.get(block.blob_key);
      assert.ok(Buffer.from(stored).equals(Buffer.from(body)), `blob of ${blockId} holds the bytes that were sent`);
      const own = segments.filter((s) => s.block_id === blockId);
      assert.equal(own.length, 1, `segments of ${blockId}`);
      assert.equal(own[0].nb_objects, RECORDS_PER_REQUEST);
    }
    // Whatever was stored beyond the acknowledged set is complete too (checked by assertLakeConsistent).
    assert.ok(blocks.length >= acked.length);
    console.log(`# crash-safety: ${acked.length - 1} acknowledged before kill -9, ${failed} cut off, ${blocks.length} blocks stored`);
  } finally {
    agent.destroy();
    await lake?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await removeDir(dataDir);
  }
});
