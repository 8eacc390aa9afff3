import type { EdgeprotoKinds } from '../cache/kinds.js';
import type { ObjectCache } from '../cache/object-cache.js';
import type { Logger } from '../core/logger.js';
import type { Node } from '../gen/edgeproto/node.js';
import type { NotifyServer } from '../notify/server.js';
import type { ControllerConfig } from './config.js';
import type { ExecRelay } from './exec-relay.js';
import type { ObjectStore } from './object-store.js';

/** What every API service of the controller is built from. */
export interface ApiDeps {
  readonly config: ControllerConfig;
  readonly kinds: EdgeprotoKinds;
  /** Stored objects (desired state, CloudletInfo, refs), transactional writes. */
  readonly objects: ObjectStore;
  /** Nodes of connected CRMs and DMEs (in memory: listed while connected). */
  readonly nodes: ObjectCache<Node>;
  /** The notify server, for routing messages (ExecRequest) to CRMs. */
  readonly notify: NotifyServer;
  readonly log: Logger;
  /** Matches ExecRequest replies from CRMs to waiting RunCommand calls (its receiver is registered with notify). */
  readonly execRelay: ExecRelay;
  /** Aborted when the controller starts closing: long waits end, receivers stop storing. */
  readonly closing: AbortSignal;
}
