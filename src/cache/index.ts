/** Keyed object caches with watch and prune, and the kinds table. */
export * from './encoded-object.js';
export * from './kinds.js';
export * from './object-cache.js';
export * from './object-kind.js';
