// The caller's identity from an `authorization` header, shared by the ingest and Flight SQL servers.
// Without any credential configured every caller is anonymous.
import { ApiKeyRing } from './api-keys.js';
import { OidcVerifier } from './oidc.js';
import { AuthError, type Authenticator, type Identity } from './types.js';

export { ApiKeyFileError, ApiKeyRing } from './api-keys.js';
export { OidcUnavailableError, OidcVerifier, type OidcOptions } from './oidc.js';
export { AuthError, type Authenticator, type Identity } from './types.js';

export interface AuthOptions {
  apiKeysFile?: string;
  oidcIssuer?: string;
  oidcAudience?: string;
}

const ANONYMOUS: Identity = Object.freeze({ name: 'anonymous', kind: 'anonymous', scope: '' });

/** Three base64url segments, as in a compact JWS. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The token of `Bearer <token>` (scheme case-insensitive), or undefined. */
export function parseBearer(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /^[ \t]*bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization);
  return m?.[1];
}

/** Loads the configured credentials (failing fast on a bad keyring or incomplete OIDC settings). */
export async function createAuthenticator(opts: AuthOptions): Promise<Authenticator> {
  if (opts.oidcIssuer && !opts.oidcAudience) throw new Error('OIDC issuer configured without an audience');
  if (opts.oidcAudience && !opts.oidcIssuer) throw new Error('OIDC audience configured without an issuer');
  const keys = opts.apiKeysFile ? await ApiKeyRing.fromFile(opts.apiKeysFile) : undefined;
  const oidc = opts.oidcIssuer ? new OidcVerifier({ issuer: opts.oidcIssuer, audience: opts.oidcAudience! }) : undefined;
  return credentialAuthenticator(keys, oidc);
}

/** An authenticator over already-built credential checkers (none → anonymous for everyone). */
export function credentialAuthenticator(keys: ApiKeyRing | undefined, oidc: OidcVerifier | undefined): Authenticator {
  if (!keys && !oidc) {
    return { enabled: false, authenticate: async () => ({ ...ANONYMOUS }) };
  }
  const byApiKey = (token: string): Identity => {
    const name = keys?.lookup(token);
    if (name === undefined) throw new AuthError('invalid credentials');
    return { name, kind: 'api-key', scope: '' };
  };
  return {
    enabled: true,
    async authenticate(authorization) {
      const token = parseBearer(authorization);
      if (token === undefined) throw new AuthError('missing bearer token');
      if (oidc && JWT_SHAPE.test(token)) {
        try {
          return await oidc.verify(token);
        } catch (e) {
          // A key that happens to look like a JWT still gets its chance.
          if (e instanceof AuthError && keys?.lookup(token) !== undefined) return byApiKey(token);
          throw e;
        }
      }
      return byApiKey(token);
    },
  };
}
