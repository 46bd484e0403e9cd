import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { ApiKeyFileError, createAuthenticator, parseBearer } from '../../auth/index.js';
import { AuthError } from '../../auth/types.js';

const API_KEY = 'ck_live_4f9a2b7c1d';

let dir: string;
let apiKeysFile: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'contrail-auth-'));
  apiKeysFile = join(dir, 'keys.json');
  await writeFile(apiKeysFile, JSON.stringify([{ name: 'ingest-bot', key: API_KEY }]));
});
after(() => rm(dir, { recursive: true, force: true }));

async function rejectsWith(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AuthError && e.message === message);
}

describe('parseBearer', () => {
  test('extracts the token of a Bearer header whatever the scheme case', () => {
    assert.equal(parseBearer('Bearer abc.def'), 'abc.def');
    assert.equal(parseBearer('bearer abc'), 'abc');
    assert.equal(parseBearer('BEARER   abc  '), 'abc');
  });

  test('returns undefined for absent, empty, other-scheme or multi-token headers', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearerabc']) {
      assert.equal(parseBearer(h), undefined, String(h));
    }
  });
});

describe('createAuthenticator', () => {
  test('with no credential configured every caller is anonymous, with or without a header', async () => {
    const auth = await createAuthenticator({});
    assert.equal(auth.enabled, false);
    assert.deepEqual(await auth.authenticate(undefined), { name: 'anonymous', kind: 'anonymous', scope: '' });
    assert.deepEqual(await auth.authenticate('Bearer whatever'), { name: 'anonymous', kind: 'anonymous', scope: '' });
  });

  test('with API keys, the right key is accepted and anything else refused with a short message', async () => {
    const auth = await createAuthenticator({ apiKeysFile });
    assert.equal(auth.enabled, true);
    assert.deepEqual(await auth.authenticate(`Bearer ${API_KEY}`), { name: 'ingest-bot', kind: 'api-key', scope: '' });
    await rejectsWith(auth.authenticate(undefined), 'missing bearer token');
    await rejectsWith(auth.authenticate(`Basic ${API_KEY}`), 'missing bearer token');
    await rejectsWith(auth.authenticate('Bearer wrong-key'), 'invalid credentials');
    await rejectsWith(auth.authenticate('Bearer a.b.c'), 'invalid credentials');
  });

  test('a malformed keyring fails at startup', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[{"name": "x"}]');
    await assert.rejects(createAuthenticator({ apiKeysFile: bad }), ApiKeyFileError);
  });

  test('an OIDC issuer without an audience is a configuration error', async () => {
    await assert.rejects(createAuthenticator({ oidcIssuer: 'https://idp.example' }), /audience/);
  });

  test('with API keys and OIDC, JWT-shaped tokens go to OIDC and other tokens to the keyring', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' };
    let issuer = '';
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const auth = await createAuthenticator({ apiKeysFile, oidcIssuer: issuer, oidcAudience: 'contrail' });
      const token = await new SignJWT({ preferred_username: 'grafana-sa' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .setIssuer(issuer)
        .setAudience('contrail')
        .setExpirationTime('1m')
        .sign(privateKey);
      assert.deepEqual(await auth.authenticate(`Bearer ${token}`), { name: 'grafana-sa', kind: 'oidc', scope: '' });
      assert.equal((await auth.authenticate(`Bearer ${API_KEY}`)).kind, 'api-key');
      const [h, p] = token.split('.');
      await rejectsWith(auth.authenticate(`Bearer ${h}.${p}.AAAA`), 'invalid credentials');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
