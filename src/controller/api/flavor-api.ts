import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../../core/errors.js';
import { Flavor, FlavorApiService, type FlavorApiServer } from '../../gen/edgeproto/flavor.js';
import { keyString } from '../../wire/object-key.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { serverStream, unary } from '../grpc-adapter.js';
import { showFilter } from '../show-filter.js';
import { applyUpdateFields } from '../update-fields.js';
import { ok } from './result.js';

/** Checks a Flavor's content; throws INVALID_ARGUMENT naming the field. Pure. */
export function validateFlavor(flavor: Flavor): void {
  validateObjectName('key.name', flavor.key?.name ?? '');
  for (const field of ['ram', 'vcpus', 'disk'] as const) {
    if (flavor[field] <= 0n) throw invalidArgument(field, 'must be greater than 0');
  }
}

function what(flavor: Flavor): string {
  return `flavor ${flavor.key?.name ?? ''}`;
}

/** The users of a flavor: Clusters and Apps (default flavor), ClusterInsts and AppInsts that name it. */
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
 * FlavorApi: Create (ALREADY_EXISTS if present), Delete (NOT_FOUND if absent, FAILED_PRECONDITION while a Cluster,
 * App, ClusterInst or AppInst uses it), Update (copies the listed `fields`, then validates the result), Show (streams
 * the flavors matching the request). Every write is one transaction.
 */
export function flavorApi(deps: ApiDeps): { service: typeof FlavorApiService; implementation: FlavorApiServer } {
  const { kinds, objects, log } = deps;
  const implementation: FlavorApiServer = {
    createFlavor: unary(log, 'CreateFlavor', async (request: Flavor) => {
      validateFlavor(request);
      const flavor = { ...request, fields: [] };
      await objects.write((tx) => {
        if (tx.get(kinds.flavor, keyString.flavor(flavor.key))) throw alreadyExists(what(flavor), 'key');
        tx.put(kinds.flavor, flavor);
      });
      return ok();
    }),
    deleteFlavor: unary(log, 'DeleteFlavor', async (request: Flavor) => {
      await objects.write((tx) => {
        const key = keyString.flavor(request.key);
        if (!tx.get(kinds.flavor, key)) throw notFound(what(request), 'key');
        const users = flavorUsers(deps, request.key?.name ?? '', tx);
        if (users.length > 0) throw failedPrecondition(`${what(request)} in use by ${users.slice(0, 5).join(', ')}`, 'key');
        tx.delete(kinds.flavor, key);
      });
      return ok();
    }),
    updateFlavor: unary(log, 'UpdateFlavor', async (request: Flavor) => {
      await objects.write((tx) => {
        const current = tx.get(kinds.flavor, keyString.flavor(request.key));
        if (!current) throw notFound(what(request), 'key');
        const updated = applyUpdateFields('edgeproto.Flavor', current, request, request.fields);
        validateFlavor(updated);
        tx.put(kinds.flavor, updated);
      });
      return ok();
    }),
    showFlavor: serverStream(log, 'ShowFlavor', async (request: Flavor, send) => {
      const matches = showFilter(Flavor, request);
      for (const flavor of objects.cache(kinds.flavor).values()) if (matches(flavor)) await send(flavor);
    }),
  };
  return { service: FlavorApiService, implementation };
}
