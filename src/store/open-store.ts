/** The `--store` factory: picks and opens a {@link Store} backend by name. */
import { invalidArgument } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { LmdbStore } from './lmdb-store.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';

/** Backend names accepted by {@link openStore} (the values of `--store`). */
export const STORE_KINDS = Object.freeze(['memory', 'lmdb'] as const);

/** One of {@link STORE_KINDS}. */
export type StoreKind = (typeof STORE_KINDS)[number];

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Which backend. */
  kind: StoreKind;
  /** Data directory; required for `lmdb` (the environment is `<dataDir>/store.lmdb`), ignored for `memory`. */
  dataDir?: string | undefined;
  log?: Logger | undefined;
  /** Committed revisions kept for exact watch replay. Default `DEFAULT_HISTORY_LIMIT`. */
  historyLimit?: number | undefined;
}

/**
 * Opens the store of the given kind. Rejects INVALID_ARGUMENT with field `store` for an unknown kind, with field
 * `dataDir` when `lmdb` has no data directory; otherwise as the backend's own open/create.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { kind, dataDir, log, historyLimit } = options;
  switch (kind) {
    case 'memory':
      return MemoryStore.create({ log, historyLimit });
    case 'lmdb':
      if (dataDir === undefined || dataDir === '') throw invalidArgument('dataDir', 'required for store lmdb');
      return LmdbStore.open({ dataDir, log, historyLimit });
    default:
      throw invalidArgument('store', `unknown store kind ${JSON.stringify(kind)}: must be one of ${STORE_KINDS.join(', ')}`);
  }
}
