import { alreadyExists, invalidArgument, notFound } from '../../core/errors.js';
import { Cluster, ClusterApiService, type ClusterApiServer } from '../../gen/edgeproto/cluster.js';
import { keyString } from '../../wire/object-key.js';
import { validateClusterName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { serverStream, unary } from '../grpc-adapter.js';
import { showFilter } from '../show-filter.js';
import { applyUpdateFields } from '../update-fields.js';
import { inUse } from './in-use.js';
import { ok } from './result.js';

/** Name prefix of the clusters the controller creates itself (`auto` set); users may not create such names. */
export const AUTO_CLUSTER_PREFIX = 'autocluster';

/** Checks a Cluster's content (its Kubernetes-style name); throws INVALID_ARGUMENT naming the field. Pure. */
export function validateCluster(cluster: Cluster): void {
  validateClusterName('key.name', cluster.key?.name ?? '');
}

/**
 * The extra rules for a Cluster a user creates through the API: the name must not start with
 * {@link AUTO_CLUSTER_PREFIX} and `auto` must be false (both are the controller's own). Throws INVALID_ARGUMENT
 * naming `key.name` or `auto`. Pure.
 */
export function validateUserCluster(cluster: Cluster): void {
  const name = cluster.key?.name ?? '';
  if (name.startsWith(AUTO_CLUSTER_PREFIX)) {
    throw invalidArgument('key.name', `"${name}": the prefix ${AUTO_CLUSTER_PREFIX} is reserved for clusters the controller creates`);
  }
  if (cluster.auto) throw invalidArgument('auto', 'is set only by the controller for clusters it creates');
}

function what(cluster: Cluster): string {
  return `cluster ${cluster.key?.name ?? ''}`;
}

/** Throws NOT_FOUND naming `default_flavor` when the cluster names a flavor that does not exist. */
function checkRefs(deps: ApiDeps, cluster: Cluster, tx: WriteTx): void {
  const flavor = cluster.default_flavor?.name ?? '';
  if (flavor !== '' && !tx.get(deps.kinds.flavor, keyString.flavor(cluster.default_flavor))) {
    throw notFound(`flavor ${flavor}`, 'default_flavor');
  }
}

/** The users of a cluster: its ClusterInsts (which in turn hold its AppInsts). */
function clusterUsers(deps: ApiDeps, name: string, tx: WriteTx): string[] {
  return tx.list(deps.kinds.clusterInst)
    .filter((ci) => ci.key?.cluster_key?.name === name)
    .map((ci) => `cluster instance on cloudlet ${ci.key?.cloudlet_key?.name ?? ''} for developer ${ci.key?.developer ?? ''}`);
}

/**
 * ClusterApi: Create (INVALID_ARGUMENT for an `autocluster` name or `auto` set, ALREADY_EXISTS if present,
 * NOT_FOUND for a `default_flavor` that does not exist), Delete (NOT_FOUND if absent, FAILED_PRECONDITION while a
 * ClusterInst of it exists), Update (copies the listed `fields`, then validates the result and its flavor; neither
 * the key nor `auto` changes), Show (streams the clusters matching the request). Every write is one transaction.
 */
export function clusterApi(deps: ApiDeps): { service: typeof ClusterApiService; implementation: ClusterApiServer } {
  const { kinds, objects, log } = deps;
  const implementation: ClusterApiServer = {
    createCluster: unary(log, 'CreateCluster', async (request: Cluster) => {
      validateCluster(request);
      validateUserCluster(request);
      const cluster = { ...request, fields: [] };
      await objects.write((tx) => {
        if (tx.get(kinds.cluster, keyString.cluster(cluster.key))) throw alreadyExists(what(cluster), 'key');
        checkRefs(deps, cluster, tx);
        tx.put(kinds.cluster, cluster);
      });
      return ok();
    }),
    deleteCluster: unary(log, 'DeleteCluster', async (request: Cluster) => {
      await objects.write((tx) => {
        const key = keyString.cluster(request.key);
        if (!tx.get(kinds.cluster, key)) throw notFound(what(request), 'key');
        const users = clusterUsers(deps, request.key?.name ?? '', tx);
        if (users.length > 0) throw inUse(what(request), users);
        tx.delete(kinds.cluster, key);
      });
      return ok();
    }),
    updateCluster: unary(log, 'UpdateCluster', async (request: Cluster) => {
      await objects.write((tx) => {
        const current = tx.get(kinds.cluster, keyString.cluster(request.key));
        if (!current) throw notFound(what(request), 'key');
        const updated = { ...applyUpdateFields('edgeproto.Cluster', current, request, request.fields), key: current.key };
        if (updated.auto !== current.auto) throw invalidArgument('auto', 'is set only by the controller and cannot be updated');
        validateCluster(updated);
        checkRefs(deps, updated, tx);
        tx.put(kinds.cluster, updated);
      });
      return ok();
    }),
    showCluster: serverStream(log, 'ShowCluster', async (request: Cluster, send) => {
      const matches = showFilter(Cluster, request);
      for (const cluster of objects.cache(kinds.cluster).values()) if (matches(cluster)) await send(cluster);
    }),
  };
  return { service: ClusterApiService, implementation };
}
