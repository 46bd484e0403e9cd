// Self-signed certificates for the TLS tests, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Why the TLS tests cannot run here, or undefined when the `openssl` CLI is available. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the openssl CLI is not installed (needed to make a self-signed test certificate)';
  }
}

/** A self-signed certificate for 127.0.0.1, ::1 and localhost, written into `dir`. */
export async function selfSignedCert(dir: string): Promise<{ certFile: string; keyFile: string; cert: Buffer; key: Buffer }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile) };
}
