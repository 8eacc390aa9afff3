import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import type { ObjectKind } from '../../../src/cache/object-kind.js';
import { DEFAULT_TIMEOUTS, type ControllerConfig } from '../../../src/controller/config.js';
import { ObjectStore } from '../../../src/controller/object-store.js';
import { startDeadlineSweeper } from '../../../src/controller/state/deadline-sweeper.js';
import { operationKey, operationKind, OUTCOME_RETENTION_MS, type Operation } from '../../../src/controller/state/operations.js';
import { silentLogger } from '../../../src/core/logger.js';
import { Cloudlet } from '../../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst } from '../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { waitFor } from '../../helpers/wait-for.js';

const kinds = edgeprotoKinds();
const config = { timeouts: DEFAULT_TIMEOUTS } as ControllerConfig;
const cloudletKey = { operator_key: { name: 'TDG' }, name: 'edge1' };
const ci = ClusterInst.fromPartial({
  key: { cluster_key: { name: 'c1' }, cloudlet_key: cloudletKey, developer: 'Acme' }, state: TrackedState.CREATING, num_masters: 1,
});
const ciKey = kinds.clusterInst.keyOf(ci);

let store: Store;
let stop = new AbortController();
beforeEach(() => {
  stop = new AbortController();
});
afterEach(async () => {
  stop.abort();
  await store.close();
});

function op(change: Partial<Operation>): Operation {
  return { inst: 'ClusterInst', key: ciKey, action: 'create', id: 'op-1', startedAt: 0, deadline: 0, timeoutMs: 1500, ignoreCrmErrors: false, ...change };
}

describe('the deadline sweeper', () => {
  it('expires an overdue operation found at start into CREATE_ERROR and drops finished records after their retention', async () => {
    store = await openStore({ kind: 'memory' });
    const objects = await ObjectStore.open(store, [kinds.cloudlet, kinds.clusterInst, kinds.clusterRefs, kinds.cloudletRefs, kinds.flavor, kinds.appInst, kinds.cluster, operationKind] as ObjectKind[], silentLogger());
    const old = op({ inst: 'AppInst', key: 'gone', id: 'op-0', outcome: { result: 'done', errors: [], messages: [], at: Date.now() - OUTCOME_RETENTION_MS - 1 } });
    await objects.write((tx) => {
      tx.put(kinds.cloudlet, Cloudlet.fromPartial({ key: cloudletKey }));
      tx.put(kinds.clusterInst, ci);
      tx.put(operationKind, op({ deadline: Date.now() - 10 }));
      tx.put(operationKind, old);
    });
    startDeadlineSweeper({ kinds, config, log: silentLogger(), objects }, stop.signal);
    await waitFor(() => objects.cache(kinds.clusterInst).get(ciKey)?.state === TrackedState.CREATE_ERROR);
    expect(objects.cache(kinds.clusterInst).get(ciKey)?.errors).toEqual(['timed out after 1.5 s']);
    expect(objects.cache(operationKind).get(operationKey('ClusterInst', ciKey))?.outcome).toMatchObject({ result: 'timeout', errors: ['timed out after 1.5 s'] });
    await waitFor(() => !objects.cache(operationKind).has(operationKey('AppInst', 'gone')));
    // Refs were written in the same transaction as the state change.
    expect(objects.cache(kinds.cloudletRefs).values()).toMatchObject([{ clusters: [{ name: 'c1' }] }]);
  });

  it('picks up an operation written later and expires it at its deadline, not before', async () => {
    store = await openStore({ kind: 'memory' });
    const objects = await ObjectStore.open(store, [kinds.cloudlet, kinds.clusterInst, kinds.clusterRefs, kinds.cloudletRefs, kinds.flavor, kinds.appInst, kinds.cluster, operationKind] as ObjectKind[], silentLogger());
    startDeadlineSweeper({ kinds, config, log: silentLogger(), objects }, stop.signal);
    const deadline = Date.now() + 150;
    await objects.write((tx) => {
      tx.put(kinds.clusterInst, { ...ci, state: TrackedState.DELETE_REQUESTED });
      tx.put(operationKind, op({ action: 'delete', deadline, timeoutMs: 150 }));
    });
    await waitFor(() => objects.cache(kinds.clusterInst).get(ciKey)?.state === TrackedState.DELETE_ERROR);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline);
    expect(objects.cache(kinds.clusterInst).get(ciKey)?.errors).toEqual(['timed out after 0.15 s']);
  });
});
