import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { OidcUnavailableError, OidcVerifier } from '../../auth/oidc.js';
import { AuthError } from '../../auth/types.js';

const AUDIENCE = 'contrail';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** A minimal OIDC issuer on loopback: discovery document + JWKS, both switchable by the test. */
class LocalIssuer {
  server: Server = createServer((req, res) => this.handle(req.url ?? '', res));
  issuer = '';
  published: SigningKey[] = [];
  discoveryStatus = 200;
  discoveryRequests = 0;
  jwksRequests = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(url: string, res: import('node:http').ServerResponse): void {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url === '/.well-known/openid-configuration') {
      this.discoveryRequests++;
      if (this.discoveryStatus !== 200) return json(this.discoveryStatus, { error: 'down' });
      return json(200, { issuer: this.issuer, jwks_uri: `${this.issuer}/jwks` });
    }
    if (url === '/jwks') {
      this.jwksRequests++;
      return json(200, { keys: this.published.map((k) => k.jwk) });
    }
    json(404, {});
  }

  token(key: SigningKey, claims: Record<string, unknown> = {}, opts: { issuer?: string; audience?: string; expiresIn?: string | number } = {}): Promise<string> {
    return new SignJWT({ email: 'ana@example.com', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject('user-123')
      .setIssuer(opts.issuer ?? this.issuer)
      .setAudience(opts.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.expiresIn ?? '5m')
      .sign(key.privateKey);
  }
}

async function rejectsInvalid(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AuthError && e.message === 'invalid credentials');
}

describe('OIDC verification against a local issuer', () => {
  const idp = new LocalIssuer();
  let keyA: SigningKey;
  let keyB: SigningKey;
  let verifier: OidcVerifier;

  before(async () => {
    await idp.start();
    [keyA, keyB] = await Promise.all([signingKey('key-a'), signingKey('key-b')]);
    idp.published = [keyA];
    verifier = new OidcVerifier({ issuer: idp.issuer, audience: AUDIENCE, jwksCooldownMs: 0 });
  });
  after(() => idp.stop());

  test('a valid token is accepted and named by its email, else preferred_username, else sub', async () => {
    assert.deepEqual(await verifier.verify(await idp.token(keyA)), { name: 'ana@example.com', kind: 'oidc', scope: '' });
    assert.equal((await verifier.verify(await idp.token(keyA, { email: undefined, preferred_username: 'ana' }))).name, 'ana');
    assert.equal((await verifier.verify(await idp.token(keyA, { email: undefined }))).name, 'user-123');
    assert.equal(idp.discoveryRequests, 1, 'discovery is cached');
  });

  test('wrong audience, wrong issuer, expired tokens and bad signatures are rejected', async () => {
    await rejectsInvalid(verifier.verify(await idp.token(keyA, {}, { audience: 'someone-else' })));
    await rejectsInvalid(verifier.verify(await idp.token(keyA, {}, { issuer: 'https://evil.example' })));
    await rejectsInvalid(verifier.verify(await idp.token(keyA, {}, { expiresIn: Math.floor(Date.now() / 1000) - 600 })));
    // Signed by key B but claiming key A's kid.
    const forged = await idp.token({ ...keyB, kid: 'key-a' });
    await rejectsInvalid(verifier.verify(forged));
    const valid = await idp.token(keyA);
    const [h, p, s] = valid.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), email: 'admin@example.com' })).toString('base64url')}.${s}`;
    await rejectsInvalid(verifier.verify(tampered));
    await rejectsInvalid(verifier.verify('not.a.jwt'));
  });

  test('a token signed by a rotated-in key triggers a JWKS refresh and is accepted', async () => {
    const before = idp.jwksRequests;
    idp.published = [keyA, keyB];
    assert.equal((await verifier.verify(await idp.token(keyB))).kind, 'oidc');
    assert.equal(idp.jwksRequests, before + 1, 'the unknown kid caused exactly one refetch');
    idp.published = [keyB];
    await rejectsInvalid(verifier.verify(await idp.token(await signingKey('key-unknown'))));
  });
});

describe('OIDC discovery failures', () => {
  const idp = new LocalIssuer();
  before(() => idp.start());
  after(() => idp.stop());

  test('an unreachable discovery document is a provider failure and is retried on a later call', async () => {
    const key = await signingKey('k1');
    idp.published = [key];
    idp.discoveryStatus = 503;
    const verifier = new OidcVerifier({ issuer: idp.issuer, audience: AUDIENCE, discoveryRetryMs: 0 });
    const token = await idp.token(key);
    await assert.rejects(verifier.verify(token), OidcUnavailableError);
    idp.discoveryStatus = 200;
    assert.equal((await verifier.verify(token)).name, 'ana@example.com');
    assert.equal(idp.discoveryRequests, 2);
  });

  test('after a failure, discovery is not retried before the retry delay', async () => {
    idp.discoveryStatus = 500;
    const requests = idp.discoveryRequests;
    const verifier = new OidcVerifier({ issuer: idp.issuer, audience: AUDIENCE, discoveryRetryMs: 60_000 });
    await assert.rejects(verifier.verify('a.b.c'), OidcUnavailableError);
    await assert.rejects(verifier.verify('a.b.c'), OidcUnavailableError);
    assert.equal(idp.discoveryRequests, requests + 1);
    idp.discoveryStatus = 200;
  });
});
