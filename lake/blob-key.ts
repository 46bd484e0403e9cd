// Validation shared by the blob stores: keys are `/`-separated relative paths.

/** Prefix of in-flight temp files in FsBlobStore; never a valid key segment, never listed. */
export const TEMP_PREFIX = '.contrail-tmp-';

export class InvalidBlobKeyError extends Error {
  constructor(readonly key: string, reason: string) {
    super(`invalid blob key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidBlobKeyError';
  }
}

function checkSegments(key: string, segments: string[]): void {
  for (const seg of segments) {
    if (seg === '') throw new InvalidBlobKeyError(key, 'empty path segment');
    if (seg === '.' || seg === '..') throw new InvalidBlobKeyError(key, `"${seg}" segment`);
    if (seg.startsWith(TEMP_PREFIX)) throw new InvalidBlobKeyError(key, 'reserved temp-file name');
  }
}

function checkChars(key: string): void {
  if (key.startsWith('/') || key.includes('\\') || /^[A-Za-z]:/.test(key)) {
    throw new InvalidBlobKeyError(key, 'absolute path');
  }
  if (key.includes('\0')) throw new InvalidBlobKeyError(key, 'NUL character');
}

/** Throws InvalidBlobKeyError unless `key` names a blob. */
export function validateBlobKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new InvalidBlobKeyError(String(key), 'empty');
  checkChars(key);
  checkSegments(key, key.split('/'));
}

/** A list prefix may be empty, end in `/`, or end mid-segment; its complete segments must be valid. */
export function validateBlobPrefix(prefix: string): void {
  if (prefix === '') return;
  checkChars(prefix);
  const segments = prefix.split('/');
  segments.pop(); // the last segment may be partial
  checkSegments(prefix, segments);
}
