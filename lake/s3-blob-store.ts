// Blob store on an S3 bucket (AWS or any S3-compatible server).
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { BlobNotFoundError, type BlobStore } from './types.js';
import { validateBlobKey, validateBlobPrefix } from './blob-key.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket (no leading or trailing `/` needed). */
  prefix?: string;
  /** Custom endpoint (MinIO, s3rver, …); implies path-style addressing unless forcePathStyle says otherwise. */
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Explicit credentials; when omitted the SDK default chain (AWS_* env vars, profiles, IMDS) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

interface SdkError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(err: unknown): number | undefined {
  return (err as SdkError | null)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as SdkError | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || status(err) === 404;
}

/** The object appeared between our HEAD and PUT (412), or a concurrent conditional PUT won (409). */
function isAlreadyExists(err: unknown): boolean {
  const name = (err as SdkError | null)?.name;
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status(err) === 412 || status(err) === 409;
}

export class S3BlobStore implements BlobStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  /** Puts in flight from this instance, so concurrent puts of one key here yield a single `true`
   * even against servers that ignore If-None-Match on PUT. */
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(opts: S3BlobStoreOptions) {
    if (!opts.bucket) throw new Error('S3BlobStore: bucket is required');
    const prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix) validateBlobKey(prefix);
    this.bucket = opts.bucket;
    this.keyPrefix = prefix ? `${prefix}/` : '';
    this.description = `s3://${opts.bucket}${prefix ? `/${prefix}` : ''}`;
    const config: S3ClientConfig = {
      region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
    };
    if (opts.endpoint !== undefined) {
      config.endpoint = opts.endpoint;
      // Many S3-compatible servers reject the SDK's default flexible-checksum trailers.
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    if (opts.credentials) config.credentials = opts.credentials;
    this.client = new S3Client(config);
  }

  private objectKey(key: string): string {
    validateBlobKey(key);
    return this.keyPrefix + key;
  }

  async put(key: string, body: Uint8Array): Promise<boolean> {
    const objectKey = this.objectKey(key);
    const pending = this.inflight.get(objectKey);
    if (pending) {
      try {
        await pending;
        return false;
      } catch {
        return this.put(key, body); // the other attempt failed: try ourselves
      }
    }
    const p = this.putOnce(objectKey, body).finally(() => this.inflight.delete(objectKey));
    this.inflight.set(objectKey, p);
    return p;
  }

  private async putOnce(objectKey: string, body: Uint8Array): Promise<boolean> {
    if (await this.headExists(objectKey)) return false;
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: body, IfNoneMatch: '*', ContentLength: body.byteLength }),
      );
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  }

  private async headExists(objectKey: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const objectKey = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      if (!res.Body) return new Uint8Array(0);
      return await res.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const objectKey = this.objectKey(key);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`invalid range offset=${offset} length=${length}`);
    }
    if (length === 0) {
      // An empty HTTP range does not exist; check existence and bounds with HEAD.
      let size: number;
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
        size = head.ContentLength ?? 0;
      } catch (err) {
        if (isNotFound(err)) throw new BlobNotFoundError(key);
        throw err;
      }
      if (offset > size) throw new RangeError(`range [${offset}, ${offset}) past the end of ${key} (${size} bytes)`);
      return new Uint8Array(0);
    }
    let bytes: Uint8Array;
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: `bytes=${offset}-${offset + length - 1}` }),
      );
      bytes = res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      if (status(err) === 416 || (err as SdkError).name === 'InvalidRange') {
        throw new RangeError(`range [${offset}, ${offset + length}) past the end of ${key}`);
      }
      throw err;
    }
    // S3 truncates a range that runs past the end instead of failing.
    if (bytes.byteLength !== length) {
      throw new RangeError(`range [${offset}, ${offset + length}) past the end of ${key}`);
    }
    return bytes;
  }

  async exists(key: string): Promise<boolean> {
    return this.headExists(this.objectKey(key));
  }

  async *list(prefix: string): AsyncIterable<string> {
    validateBlobPrefix(prefix);
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyPrefix + prefix, ContinuationToken: token }),
      );
      for (const obj of res.Contents ?? []) {
        if (obj.Key?.startsWith(this.keyPrefix)) yield obj.Key.slice(this.keyPrefix.length);
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
