import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiKeyFileError, ApiKeyRing } from '../../auth/api-keys.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'contrail-api-keys-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keyFile(content: string): Promise<string> {
  const path = join(dir, `keys-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, content);
  return path;
}

async function rejectsFile(content: string, message: RegExp): Promise<void> {
  const path = await keyFile(content);
  await assert.rejects(ApiKeyRing.fromFile(path), (e: unknown) => {
    assert.ok(e instanceof ApiKeyFileError, String(e));
    assert.match(e.message, message);
    assert.ok(e.message.includes(path), 'the message names the file');
    return true;
  });
}

describe('API key ring', () => {
  test('a configured key resolves to its entry name; unknown, empty and near-miss keys do not', async () => {
    const ring = await ApiKeyRing.fromFile(
      await keyFile(JSON.stringify([{ name: 'grafana', key: 'k-grafana-0123456789' }, { name: 'sdk', key: 'k-sdk-abcdef' }])),
    );
    assert.equal(ring.size, 2);
    assert.equal(ring.lookup('k-grafana-0123456789'), 'grafana');
    assert.equal(ring.lookup('k-sdk-abcdef'), 'sdk');
    assert.equal(ring.lookup('k-sdk-abcdeF'), undefined);
    assert.equal(ring.lookup('k-sdk-abcdef '), undefined);
    assert.equal(ring.lookup(''), undefined);
  });

  test('the ring keeps no plaintext key in memory', async () => {
    const ring = ApiKeyRing.fromJson([{ name: 'n', key: 'super-secret-key-value' }]);
    const dump = JSON.stringify(ring);
    assert.match(dump, /"name":"n"/, 'the entries are serialised, so a stored key would show');
    assert.ok(!dump.includes('super-secret-key-value'));
    assert.equal(ring.lookup('super-secret-key-value'), 'n');
  });

  test('an empty array is a valid (if useless) keyring', async () => {
    const ring = await ApiKeyRing.fromFile(await keyFile('[]'));
    assert.equal(ring.lookup('anything'), undefined);
  });

  test('a malformed file is reported at startup naming the entry and the problem', async () => {
    await rejectsFile('{"name": "a", "key": "b"}', /must be a JSON array/);
    await rejectsFile('[{"name": "a", "key": "b"},', /not valid JSON/);
    await rejectsFile('[{"name": "a", "key": "b"}, "key"]', /entry 1 must be an object/);
    await rejectsFile('[{"key": "b"}]', /entry 0: "name" must be a non-empty string/);
    await rejectsFile('[{"name": "a", "key": 42}]', /entry 0 \(a\): "key" must be a non-empty string/);
    await rejectsFile('[{"name": "a", "key": ""}]', /entry 0 \(a\): "key" must be a non-empty string/);
    await rejectsFile('[{"name": "a", "key": "has space"}]', /entry 0 \(a\): "key" must not contain whitespace/);
    await rejectsFile('[{"name": "a", "key": "k1"}, {"name": "a", "key": "k2"}]', /entry 1: duplicate name "a" \(also entry 0\)/);
    await rejectsFile('[{"name": "a", "key": "k1"}, {"name": "b", "key": "k1"}]', /entry 1 \(b\): duplicate key \(same as entry 0\)/);
  });

  test('a missing file is reported with its path', async () => {
    const path = join(dir, 'does-not-exist.json');
    await assert.rejects(ApiKeyRing.fromFile(path), (e: unknown) => e instanceof ApiKeyFileError && /ENOENT/.test(e.message) && e.message.includes(path));
  });
});
