// Blob store on a local directory. Crash-safe publish: temp file in the target directory, fdatasync,
// then link(2) to the final name (fails with EEXIST instead of clobbering), then fsync the directory
// (coalesced: concurrent puts into one directory share an fsync that starts after all their links).
import { randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { access, link, mkdir, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
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

interface DirSync {
  running: Promise<void> | undefined;
  /** The fsync that starts when `running` ends; shared by everyone who arrived meanwhile. */
  next: Promise<void> | undefined;
}

async function writeAll(fh: FileHandle, body: Uint8Array): Promise<void> {
  let done = 0;
  while (done < body.byteLength) {
    const { bytesWritten } = await fh.write(body, done, body.byteLength - done, done);
    done += bytesWritten;
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

  /** Directories known to exist with their entries synced, by path (a pending or settled ensure). */
  private readonly dirs = new Map<string, Promise<void>>();
  /** Coalesced directory fsyncs, by directory. */
  private readonly dirSyncs = new Map<string, DirSync>();

  async put(key: string, body: Uint8Array): Promise<boolean> {
    const final = this.pathOf(key);
    await this.ready;
    const dir = dirname(final);
    await this.ensureDir(dir);

    let fh;
    let tmp = this.tempPath(dir);
    try {
      fh = await open(tmp, 'wx', 0o644);
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
      // the directory went away behind our back (e.g. deleted by an operator): create it again
      this.dirs.delete(dir);
      await this.ensureDir(dir);
      tmp = this.tempPath(dir);
      fh = await open(tmp, 'wx', 0o644);
    }
    let created = false;
    let unlinked: Promise<void> | undefined;
    try {
      try {
        await writeAll(fh, body);
        await fh.datasync(); // data plus the size metadata needed to read it back
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
      // the temp name needs no durability: remove it while the directory syncs
      unlinked = unlink(tmp).catch(() => {});
    }
    // Created: make our link durable. Already there: the entry may be another writer's link whose
    // directory fsync is still running, so wait for one that starts now before answering either way.
    await Promise.all([this.syncDir(dir), unlinked]);
    return created;
  }

  private tempPath(dir: string): string {
    return join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  }

  /** Creates `dir` if needed and makes its entry (and every ancestor's up to the root) durable, once
   * per directory per store; concurrent puts into a new directory share the same work. */
  private ensureDir(dir: string): Promise<void> {
    let p = this.dirs.get(dir);
    if (!p) {
      p = (async () => {
        const firstCreated = await mkdir(dir, { recursive: true });
        // Newly created: fsync each new directory and the parent listing the first. Pre-existing
        // (possibly left unsynced by a crashed run): fsync its ancestors once.
        const stop = firstCreated !== undefined ? dirname(firstCreated) : this.root;
        const chain: string[] = [];
        for (let d = firstCreated !== undefined ? dir : dirname(dir); ; d = dirname(d)) {
          chain.push(d);
          if (d === stop || d.length <= stop.length || d === dirname(d)) break;
        }
        await Promise.all(chain.map((d) => this.syncDir(d)));
      })();
      this.dirs.set(dir, p);
      p.catch(() => this.dirs.delete(dir));
    }
    return p;
  }

  /** fsync(dir), coalesced: resolves after an fsync of `dir` that started after this call. Callers
   * arriving while one runs share the next one. */
  private syncDir(dir: string): Promise<void> {
    let st = this.dirSyncs.get(dir);
    if (!st) {
      st = { running: undefined, next: undefined };
      this.dirSyncs.set(dir, st);
    }
    const state = st;
    if (state.next) return state.next;
    const start = (): Promise<void> => {
      const run = fsyncDir(dir).finally(() => {
        if (state.running === run) state.running = undefined;
        if (!state.running && !state.next && this.dirSyncs.get(dir) === state) this.dirSyncs.delete(dir);
      });
      state.running = run;
      return run;
    };
    if (!state.running) return start();
    const next = state.running
      .catch(() => {})
      .then(() => {
        state.next = undefined;
        return start();
      });
    state.next = next;
    return next;
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
