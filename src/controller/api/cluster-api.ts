import { invalidArgument, notFound } from '../../core/errors.js';
import { type Cluster, ClusterApiService, type ClusterApiServer } from '../../gen/edgeproto/cluster.js';
import { keyString } from '../../wire/object-key.js';
import { validateClusterName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { catalogHandlers } from './catalog-object-api.js';

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
 * ClusterApi with the catalog semantics (`catalogHandlers`): Create refuses an `autocluster` name or `auto` set
 * (INVALID_ARGUMENT), a `default_flavor` must exist (NOT_FOUND), Update may not change `auto`, and Delete is
 * refused while a ClusterInst of the cluster exists.
 */
export function clusterApi(deps: ApiDeps): { service: typeof ClusterApiService; implementation: ClusterApiServer } {
  const h = catalogHandlers<Cluster>(deps, {
    kind: deps.kinds.cluster,
    name: 'Cluster',
    describe: what,
    validate: (c) => {
      validateCluster(c);
      return c;
    },
    validateCreate: validateUserCluster,
    validateUpdate: (current, updated) => {
      if (updated.auto !== current.auto) throw invalidArgument('auto', 'is set only by the controller and cannot be updated');
    },
    checkRefs: (c, tx) => checkRefs(deps, c, tx),
    users: (c, tx) => clusterUsers(deps, c.key?.name ?? '', tx),
  });
  return {
    service: ClusterApiService,
    implementation: { createCluster: h.create, deleteCluster: h.delete, updateCluster: h.update, showCluster: h.show },
  };
}
