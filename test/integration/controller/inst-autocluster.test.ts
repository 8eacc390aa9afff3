import { afterEach, describe, expect, it } from 'vitest';
import { CRMOverride, IpAccess, Liveness, TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { aiRequest, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

let env: InstEnv;
afterEach(async () => {
  await env.close();
});

function stores() {
  const { kinds, objects } = env.ctl.controller;
  return {
    clusterInsts: objects.cache(kinds.clusterInst),
    appInsts: objects.cache(kinds.appInst),
    clusters: objects.cache(kinds.cluster),
    clusterRefs: objects.cache(kinds.clusterRefs),
  };
}

const autoCi = (name = 'autoclusterface') => keyString.clusterInst(ciRequest(name).key);

describe('auto clusters', () => {
  it('an AppInst on "autocluster..." creates the ClusterInst first, then the AppInst; deleting it removes both', async () => {
    env = await startInstEnv();
    const face = aiRequest('face', 'autoclusterface', 'edge1', { auto_cluster_ip_access: IpAccess.IP_ACCESS_SHARED });
    const out = await env.createAi(face);
    expect(out.error).toBeUndefined();
    expect(out.messages).toContain('ClusterInst Ready');
    expect(out.messages.indexOf('ClusterInst Ready')).toBeLessThan(out.messages.indexOf('Ready'));
    expect(out.messages.at(-1)).toBe('Created successfully');
    const s = stores();
    expect(s.clusterInsts.get(autoCi())).toMatchObject({
      state: TrackedState.READY, auto: true, liveness: Liveness.LIVENESS_DYNAMIC, ip_access: IpAccess.IP_ACCESS_SHARED,
      flavor: { name: 'x1.small' }, num_masters: 1, num_nodes: 1,
    });
    expect(s.clusters.get(keyString.cluster({ name: 'autoclusterface' }))).toMatchObject({ auto: true });
    expect(s.appInsts.get(keyString.appInst(face.key))).toMatchObject({ state: TrackedState.READY, uri: 'edge1.tdg.cloudletd.net' });
    expect(env.crm?.handled).toEqual(['ClusterInst create autoclusterface', 'AppInst create face']);

    const del = await env.deleteAi(face);
    expect(del.error).toBeUndefined();
    expect(del.messages).toContain('Deleted AppInst successfully');
    expect(del.messages.at(-1)).toBe('Deleted auto cluster autoclusterface');
    expect(s.appInsts.size).toBe(0);
    expect(s.clusterInsts.size).toBe(0);
    expect(s.clusters.get(keyString.cluster({ name: 'autoclusterface' }))).toBeUndefined();
    expect(s.clusterRefs.size).toBe(0);
  });

  it('a failed AppInst create removes the AppInst and deletes its auto cluster through the CRM', async () => {
    env = await startInstEnv({ crm: { mode: 'ready' } });
    if (env.crm) env.crm.modes.create = 'ready';
    const face = aiRequest('face', 'autoclusterface');
    const s = stores();
    // The cluster is created, then the app fails.
    const unsubscribe = s.clusterInsts.watch((c) => {
      if (c.kind === 'update' && c.value.state === TrackedState.READY && env.crm) env.crm.modes.create = 'error';
    });
    const out = await env.createAi(face);
    unsubscribe();
    expect(out.error).toEqual({ code: 'ABORTED', details: 'create AppInst face 1.0 on cluster autoclusterface of cloudlet edge1 failed: fake create failed' });
    expect(s.appInsts.size).toBe(0);
    await waitFor(() => s.clusterInsts.size === 0);
    expect(env.crm?.handled).toEqual(['ClusterInst create autoclusterface', 'AppInst create face', 'ClusterInst delete autoclusterface']);
  });

  it('a failed auto-cluster create fails the AppInst create (which never existed) and deletes the cluster', async () => {
    env = await startInstEnv({ crm: { create: 'error' } });
    const out = await env.createAi(aiRequest('face', 'autoclusterface'));
    expect(out.error).toEqual({
      code: 'ABORTED', details: 'create AppInst face 1.0 on cluster autoclusterface of cloudlet edge1 failed: auto cluster: fake create failed',
    });
    const s = stores();
    expect(s.appInsts.size).toBe(0);
    await waitFor(() => s.clusterInsts.size === 0);
    expect(s.clusters.size).toBe(0);
  });

  it('a silent CRM: the pending AppInst create times out and its auto cluster is deleted', async () => {
    env = await startInstEnv({ timeouts: { createMs: 250, updateMs: 250, deleteMs: 5000 }, crm: { create: 'silent' } });
    const out = await env.createAi(aiRequest('face', 'autoclusterface'));
    expect(out.error).toEqual({
      code: 'DEADLINE_EXCEEDED', details: 'create AppInst face 1.0 on cluster autoclusterface of cloudlet edge1 timed out after 0.25 s creating its auto cluster',
    });
    const s = stores();
    await waitFor(() => s.clusterInsts.size === 0);
    expect(s.appInsts.size).toBe(0);
  });

  it('deleting the auto cluster (IGNORE_CRM_AND_TRANSIENT_STATE) while it is created fails the waiting AppInst create at once', async () => {
    env = await startInstEnv({ crm: { create: 'silent' } });
    const creating = env.createAi(aiRequest('face', 'autoclusterface'));
    const s = stores();
    await waitFor(() => s.clusterInsts.get(autoCi())?.state === TrackedState.CREATE_REQUESTED);
    const del = await env.deleteCi({ ...ciRequest('autoclusterface'), crm_override: CRMOverride.IGNORE_CRM_AND_TRANSIENT_STATE });
    expect(del.error).toBeUndefined();
    expect((await creating).error).toEqual({
      code: 'ABORTED', details: 'create AppInst face 1.0 on cluster autoclusterface of cloudlet edge1 failed: auto cluster: deleted while it was being created',
    });
    expect(s.clusterInsts.size + s.appInsts.size + s.clusters.size).toBe(0);
  });

  it('IGNORE_CRM creates and removes the auto cluster and the AppInst directly', async () => {
    env = await startInstEnv({ crm: false });
    const face = aiRequest('face', 'autoclusterx', 'edge2', { crm_override: CRMOverride.IGNORE_CRM });
    expect(await env.createAi(face)).toEqual({ messages: ['Created successfully'] });
    const s = stores();
    expect(s.clusterInsts.values()).toMatchObject([{ state: TrackedState.READY, auto: true }]);
    expect(s.appInsts.values()).toMatchObject([{ state: TrackedState.READY }]);
    expect(await env.deleteAi(face)).toEqual({ messages: ['Deleted AppInst successfully'] });
    expect(s.clusterInsts.size + s.appInsts.size + s.clusters.size).toBe(0);
  });
});
