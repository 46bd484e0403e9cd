// API keys from a JSON keyring file (Micromegas shape: `[{"name": …, "key": …}]`). Only SHA-256
// digests of the keys stay in memory; a presented key is compared against every digest in
// constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** The keyring file is unreadable or malformed; the message says which entry and what is wrong. */
export class ApiKeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyFileError';
  }
}

interface KeyEntry {
  name: string;
  digest: Buffer;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class ApiKeyRing {
  private constructor(private readonly entries: readonly KeyEntry[]) {}

  /** Validates parsed keyring JSON; `source` names the file in error messages. */
  static fromJson(json: unknown, source = 'api keys'): ApiKeyRing {
    const fail = (what: string): never => {
      throw new ApiKeyFileError(`${source}: ${what}`);
    };
    if (!Array.isArray(json)) fail('must be a JSON array of {"name", "key"} objects');
    const entries: KeyEntry[] = [];
    const names = new Map<string, number>();
    const digests = new Map<string, number>();
    (json as unknown[]).forEach((item, i) => {
      const at = `entry ${i}`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(`${at} must be an object with "name" and "key"`);
      const { name, key } = item as Record<string, unknown>;
      if (typeof name !== 'string' || name.trim() === '') fail(`${at}: "name" must be a non-empty string`);
      if (typeof key !== 'string' || key === '') fail(`${at} (${name as string}): "key" must be a non-empty string`);
      // A bearer token is one header token: whitespace or control characters could never be presented.
      if (/[\s\x00-\x1f\x7f]/.test(key as string)) fail(`${at} (${name as string}): "key" must not contain whitespace or control characters`);
      const n = name as string;
      if (names.has(n)) fail(`${at}: duplicate name "${n}" (also entry ${names.get(n)})`);
      const digest = sha256(key as string);
      const hex = digest.toString('hex');
      if (digests.has(hex)) fail(`${at} (${n}): duplicate key (same as entry ${digests.get(hex)})`);
      names.set(n, i);
      digests.set(hex, i);
      entries.push({ name: n, digest });
    });
    return new ApiKeyRing(entries);
  }

  static async fromFile(path: string): Promise<ApiKeyRing> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new ApiKeyFileError(`api keys file ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ApiKeyFileError(`api keys file ${path}: not valid JSON (${(e as Error).message})`);
    }
    return ApiKeyRing.fromJson(json, `api keys file ${path}`);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The name of the key's entry, or undefined. Takes the same time whichever entry matches. */
  lookup(key: string): string | undefined {
    const digest = sha256(key);
    let found: string | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(e.digest, digest) && found === undefined) found = e.name;
    }
    return found;
  }
}
