import type { EdgeprotoKinds } from '../cache/kinds.js';
import type { Logger } from '../core/logger.js';
import type { ObjectStore } from './object-store.js';

/** What every API service of the controller is built from. */
export interface ApiDeps {
  readonly kinds: EdgeprotoKinds;
  readonly objects: ObjectStore;
  readonly log: Logger;
}
