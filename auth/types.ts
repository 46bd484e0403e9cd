/** Who is calling. `scope` is the write scope used in content-addressed ids ("" without tenants). */
export interface Identity {
  name: string;
  kind: 'api-key' | 'oidc' | 'anonymous';
  scope: string;
}

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface Authenticator {
  /** False when no credentials are configured: every caller is anonymous. */
  readonly enabled: boolean;
  /** Takes the raw `authorization` header value (or undefined) and resolves the caller,
   * or throws AuthError with a short, client-safe message. */
  authenticate(authorization: string | undefined): Promise<Identity>;
}
