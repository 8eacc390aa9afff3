/** Public API of the store layer: the Store interface, its memory and LMDB backends, and the `--store` factory. */
export * from './store.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { LmdbStore, LMDB_FILE, type LmdbStoreOptions } from './lmdb-store.js';
export { openStore, STORE_KINDS, type OpenStoreOptions, type StoreKind } from './open-store.js';
export { compareKeys } from './keys.js';
