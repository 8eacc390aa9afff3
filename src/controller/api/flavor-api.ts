import { invalidArgument } from '../../core/errors.js';
import type { Flavor} from '../../gen/edgeproto/flavor.js';
import { FlavorApiService, type FlavorApiServer } from '../../gen/edgeproto/flavor.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { catalogHandlers } from './catalog-object-api.js';

/** Checks a Flavor's content; throws INVALID_ARGUMENT naming the field. Pure. */
export function validateFlavor(flavor: Flavor): Flavor {
  validateObjectName('key.name', flavor.key?.name ?? '');
  for (const field of ['ram', 'vcpus', 'disk'] as const) {
    if (flavor[field] <= 0n) throw invalidArgument(field, 'must be greater than 0');
  }
  return flavor;
}

/** The users of a flavor: Clusters and Apps (default flavor), ClusterInsts and AppInsts. */
function flavorUsers(deps: ApiDeps, name: string, tx: WriteTx): string[] {
  const { kinds } = deps;
  const users: string[] = [];
  for (const cluster of tx.list(kinds.cluster)) if (cluster.default_flavor?.name === name) users.push(`cluster ${cluster.key?.name ?? ''}`);
  for (const app of tx.list(kinds.app)) if (app.default_flavor?.name === name) users.push(`app ${app.key?.name ?? ''}`);
  for (const ci of tx.list(kinds.clusterInst)) if (ci.flavor?.name === name) users.push(`cluster instance ${ci.key?.cluster_key?.name ?? ''}`);
  for (const ai of tx.list(kinds.appInst)) if (ai.flavor?.name === name) users.push(`app instance ${ai.key?.app_key?.name ?? ''}`);
  return users;
}

/**
 * FlavorApi with the catalog semantics (`catalogHandlers`): ram, vcpus and disk must be > 0 (uint64 values are
 * kept exactly); Delete is refused while an App, Cluster, ClusterInst or AppInst uses the flavor.
 */
export function flavorApi(deps: ApiDeps): { service: typeof FlavorApiService; implementation: FlavorApiServer } {
  const h = catalogHandlers<Flavor>(deps, {
    kind: deps.kinds.flavor,
    name: 'Flavor',
    describe: (f) => `flavor ${f.key?.name ?? ''}`,
    validate: validateFlavor,
    users: (f, tx) => flavorUsers(deps, f.key?.name ?? '', tx),
  });
  return {
    service: FlavorApiService,
    implementation: { createFlavor: h.create, deleteFlavor: h.delete, updateFlavor: h.update, showFlavor: h.show },
  };
}
