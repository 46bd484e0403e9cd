// OIDC bearer tokens (JWT) verified against the issuer's published keys. The JWKS location is
// discovered lazily from `<issuer>/.well-known/openid-configuration` and cached once found; a failed
// discovery is retried on a later call. jose caches the keys and refetches them when a token names
// an unknown `kid` (key rotation).
import { type JWTPayload, createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { AuthError, type Identity } from './types.js';

export interface OidcOptions {
  issuer: string;
  audience: string | string[];
  /** Seconds of clock skew tolerated on exp/nbf/iat (default 30). */
  clockToleranceSeconds?: number;
  /** Minimum delay between two discovery attempts after a failure (default 5000 ms). */
  discoveryRetryMs?: number;
  /** Minimum delay between JWKS refetches triggered by unknown `kid`s (default 30000 ms). */
  jwksCooldownMs?: number;
  /** Network timeout of discovery and JWKS requests (default 5000 ms). */
  timeoutMs?: number;
}

/** The identity provider could not be reached or answered nonsense: not the caller's fault. */
export class OidcUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OidcUnavailableError';
  }
}

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

type KeySet = ReturnType<typeof createRemoteJWKSet>;

export class OidcVerifier {
  private keySet?: KeySet;
  private discovering?: Promise<KeySet>;
  private lastFailureAt = -Infinity;
  private lastFailure?: Error;

  constructor(private readonly opts: OidcOptions) {
    if (!/^https?:\/\//.test(opts.issuer)) throw new Error(`OIDC issuer must be an http(s) URL: ${opts.issuer}`);
    const audiences = Array.isArray(opts.audience) ? opts.audience : [opts.audience];
    if (audiences.length === 0 || audiences.some((a) => a === '')) throw new Error('OIDC audience must be configured');
  }

  /** Verifies a JWT; resolves the caller or throws AuthError (bad token) / OidcUnavailableError (provider). */
  async verify(token: string): Promise<Identity> {
    const keySet = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        clockTolerance: this.opts.clockToleranceSeconds ?? 30,
        algorithms: ASYMMETRIC_ALGORITHMS,
      }));
    } catch (e) {
      if (isProviderFailure(e)) throw new OidcUnavailableError('OIDC key set unavailable', { cause: e });
      throw new AuthError('invalid credentials');
    }
    const name = [payload.email, payload.preferred_username, payload.sub].find((v) => typeof v === 'string' && v !== '');
    if (typeof name !== 'string') throw new AuthError('invalid credentials');
    return { name, kind: 'oidc', scope: '' };
  }

  private async keys(): Promise<KeySet> {
    if (this.keySet) return this.keySet;
    if (!this.discovering) {
      const retryMs = this.opts.discoveryRetryMs ?? 5000;
      if (this.lastFailure && Date.now() - this.lastFailureAt < retryMs) {
        throw new OidcUnavailableError('OIDC discovery failed recently', { cause: this.lastFailure });
      }
      this.discovering = this.discover().then(
        (ks) => {
          this.keySet = ks;
          return ks;
        },
        (e: Error) => {
          this.lastFailure = e;
          this.lastFailureAt = Date.now();
          this.discovering = undefined;
          throw e;
        },
      );
    }
    return this.discovering;
  }

  private async discover(): Promise<KeySet> {
    const issuer = this.opts.issuer;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const timeout = this.opts.timeoutMs ?? 5000;
    let doc: unknown;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeout), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = await res.json();
    } catch (e) {
      throw new OidcUnavailableError(`OIDC discovery at ${url} failed: ${(e as Error).message}`, { cause: e });
    }
    const { issuer: docIssuer, jwks_uri } = (doc ?? {}) as Record<string, unknown>;
    if (docIssuer !== issuer) throw new OidcUnavailableError(`OIDC discovery at ${url}: issuer ${JSON.stringify(docIssuer)} does not match ${issuer}`);
    if (typeof jwks_uri !== 'string') throw new OidcUnavailableError(`OIDC discovery at ${url}: no jwks_uri`);
    let jwksUrl: URL;
    try {
      jwksUrl = new URL(jwks_uri);
    } catch {
      throw new OidcUnavailableError(`OIDC discovery at ${url}: invalid jwks_uri`);
    }
    return createRemoteJWKSet(jwksUrl, {
      timeoutDuration: timeout,
      cooldownDuration: this.opts.jwksCooldownMs ?? 30_000,
    });
  }
}

/** Errors that mean the key set could not be fetched, as opposed to a bad token. */
function isProviderFailure(e: unknown): boolean {
  if (e instanceof joseErrors.JWKSTimeout || e instanceof joseErrors.JWKSInvalid) return true;
  // jose reports a non-200 JWKS response as a generic JOSEError; fetch failures are TypeErrors.
  if (e instanceof joseErrors.JOSEError) return e.code === 'ERR_JOSE_GENERIC';
  return e instanceof TypeError || (e instanceof Error && e.name === 'AbortError');
}
