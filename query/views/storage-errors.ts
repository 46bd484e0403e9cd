// A query that cannot reach its storage fails with a status clients retry on: catalog and blob store
// failures become UNAVAILABLE, a blob the catalog names but the store lacks becomes DATA_LOSS.
// Planning and SQL errors are untouched (they never come from these calls).
import { BlobNotFoundError, type BlobStore, type Catalog } from '../../lake/types.js';
import { QueryError } from '../errors.js';
import type { LakeAccess } from './segment-view.js';

function storageError(what: string, err: unknown): unknown {
  if (err instanceof QueryError) return err;
  if (err instanceof BlobNotFoundError) return new QueryError('DATA_LOSS', `blob missing from the blob store: ${err.key}`);
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new QueryError('UNAVAILABLE', `${what} unavailable: ${reason}`);
}

/** `target` with every promise-returning method's rejections mapped by storageError. */
function guarded<T extends object>(target: T, what: string): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        } catch (err) {
          throw storageError(what, err);
        }
        return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(storageError(what, err))) : result;
      };
    },
  });
}

export function withStorageErrors(lake: LakeAccess): LakeAccess {
  return { ...lake, catalog: guarded<Catalog>(lake.catalog, 'catalog'), blobs: guarded<BlobStore>(lake.blobs, 'blob store') };
}
