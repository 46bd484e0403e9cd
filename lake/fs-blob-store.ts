// Blob store on a local directory. Crash-safe publish: temp file in the target directory, fsync,
// then link(2) to the final name (fails with EEXIST instead of clobbering), then fsync the directory.
import { randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { access, link, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BlobNotFoundError, type BlobStore } from './types.js';
import { TEMP_PREFIX, validateBlobKey, validateBlobPrefix } from './blob-key.js';

/** Temp files older than this when a store opens are leftovers of a crash. */
const STALE_TEMP_MS = 60_000;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function isMissing(err: unknown): boolean {
  const code = errno(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FsBlobStore implements BlobStore {
  readonly description: string;
  private readonly root: string;
  /** Root created and stale temp files swept; every operation waits for it. */
  private readonly ready: Promise<void>;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
    this.description = `fs:${this.root}`;
    this.ready = this.init();
    this.ready.catch(() => {}); // surfaced by the first operation instead
  }

  private async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.sweepStaleTemps(this.root, Date.now() - STALE_TEMP_MS).catch(() => {});
  }

  private async sweepStaleTemps(dir: string, cutoffMs: number): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        await this.sweepStaleTemps(path, cutoffMs);
      } else if (e.name.startsWith(TEMP_PREFIX)) {
        try {
          if ((await stat(path)).mtimeMs < cutoffMs) await unlink(path);
        } catch {
          // raced with another sweeper or a writer finishing: nothing to do
        }
      }
    }
  }

  private pathOf(key: string): string {
    validateBlobKey(key);
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Uint8Array): Promise<boolean> {
    const final = this.pathOf(key);
    await this.ready;
    if (await this.isFile(final)) return false;
    const dir = dirname(final);
    const firstCreated = await mkdir(dir, { recursive: true });
    if (firstCreated !== undefined) await this.syncNewDirs(firstCreated, dir);

    const tmp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    let created = false;
    try {
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await link(tmp, final);
        created = true;
      } catch (err) {
        if (errno(err) !== 'EEXIST') throw err;
      }
    } finally {
      await unlink(tmp).catch(() => {});
    }
    if (created) await fsyncDir(dir);
    return created;
  }

  /** fsync every directory mkdir just created, and the pre-existing parent that now lists the first. */
  private async syncNewDirs(firstCreated: string, deepest: string): Promise<void> {
    const chain: string[] = [];
    for (let d = deepest; d.length >= firstCreated.length; d = dirname(d)) {
      chain.push(d);
      if (d === firstCreated) break;
    }
    chain.push(dirname(firstCreated));
    for (const d of chain) await fsyncDir(d);
  }

  private async isFile(path: string): Promise<boolean> {
    try {
      return (await stat(path)).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    await this.ready;
    try {
      return new Uint8Array(await readFile(path));
    } catch (err) {
      if (isMissing(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const path = this.pathOf(key);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`invalid range offset=${offset} length=${length}`);
    }
    await this.ready;
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) throw new BlobNotFoundError(key);
      throw err;
    }
    try {
      const { size } = await fh.stat();
      if (offset + length > size) {
        throw new RangeError(`range [${offset}, ${offset + length}) past the end of ${key} (${size} bytes)`);
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new RangeError(`${key} shrank while reading`);
        done += bytesRead;
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    await this.ready;
    return this.isFile(path);
  }

  async *list(prefix: string): AsyncIterable<string> {
    validateBlobPrefix(prefix);
    await this.ready;
    yield* this.walk(this.root, '', prefix);
  }

  /** Depth-first in lexicographic key order: directories sort as `name/`, which makes the
   * concatenated keys come out sorted without collecting them all. */
  private async *walk(dir: string, keyPrefix: string, prefix: string): AsyncGenerator<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    const items = entries
      .filter((e) => !e.name.startsWith(TEMP_PREFIX) && (e.isDirectory() || e.isFile()))
      .map((e) => ({ e, sortKey: e.isDirectory() ? `${e.name}/` : e.name }))
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const { e, sortKey } of items) {
      const key = keyPrefix + sortKey;
      if (e.isDirectory()) {
        // descend only where keys can start with the prefix
        if (key.startsWith(prefix) || prefix.startsWith(key)) yield* this.walk(join(dir, e.name), key, prefix);
      } else if (key.startsWith(prefix)) {
        yield key;
      }
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await this.ready;
    try {
      await unlink(path);
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
  }

  async ping(): Promise<void> {
    await this.ready;
    await access(this.root, constants.R_OK | constants.W_OK);
  }

  async close(): Promise<void> {
    await this.ready.catch(() => {});
  }
}
