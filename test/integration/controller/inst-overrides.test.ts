import { afterEach, describe, expect, it } from 'vitest';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { CRMOverride, TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { aiRequest, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

let env: InstEnv;
afterEach(async () => {
  await env.close();
});

function storedCi(cluster: string, cloudlet = 'edge1') {
  return env.ctl.controller.objects.cache(env.ctl.controller.kinds.clusterInst).get(keyString.clusterInst(ciRequest(cluster, cloudlet).key));
}

describe('CRMOverride', () => {
  it('NO_OVERRIDE: a cloudlet whose CRM is not READY or ERRORS is refused', async () => {
    env = await startInstEnv();
    env.crm?.setInfo({ state: CloudletState.CLOUDLET_STATE_OFFLINE });
    const { kinds, objects } = env.ctl.controller;
    await waitFor(() => objects.cache(kinds.cloudletInfo).values()[0]?.state === CloudletState.CLOUDLET_STATE_OFFLINE);
    expect((await env.createCi(ciRequest('c1'))).error).toEqual({
      code: 'FAILED_PRECONDITION', details: 'cloudlet edge1 not ready, state is CLOUDLET_STATE_OFFLINE',
    });
    expect((await env.createCi(ciRequest('c1', 'edge2'))).error).toEqual({
      code: 'FAILED_PRECONDITION', details: 'cloudlet edge2 not ready, state is CLOUDLET_STATE_UNKNOWN (its CRM never reported)',
    });
    expect((await env.createAi(aiRequest('face', 'autocluster1', 'edge2'))).error?.code).toBe('FAILED_PRECONDITION');
    env.crm?.setInfo({ state: CloudletState.CLOUDLET_STATE_ERRORS });
    await waitFor(() => objects.cache(kinds.cloudletInfo).values()[0]?.state === CloudletState.CLOUDLET_STATE_ERRORS);
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
  });

  it('IGNORE_CRM: no CloudletInfo needed, create writes READY and delete removes, without the CRM acting', async () => {
    env = await startInstEnv();
    const out = await env.createCi({ ...ciRequest('c1', 'edge2'), crm_override: CRMOverride.IGNORE_CRM });
    expect(out).toEqual({ messages: ['Created successfully'] });
    expect(storedCi('c1', 'edge2')).toMatchObject({ state: TrackedState.READY, crm_override: CRMOverride.NO_OVERRIDE });
    const face = aiRequest('face', 'c1', 'edge2', { crm_override: CRMOverride.IGNORE_CRM });
    expect((await env.createAi(face)).error).toBeUndefined();
    expect((await env.deleteAi(face)).error).toBeUndefined();
    expect((await env.deleteCi({ ...ciRequest('c1', 'edge2'), crm_override: CRMOverride.IGNORE_CRM })).error).toBeUndefined();
    expect(env.ctl.controller.objects.cache(env.ctl.controller.kinds.clusterInst).size).toBe(0);
    // On edge1 the CRM mirrors the objects but is never asked to act.
    await env.createCi({ ...ciRequest('c2'), crm_override: CRMOverride.IGNORE_CRM });
    await waitFor(() => env.crm?.client.clusterInsts.size === 1);
    expect(env.crm?.handled).toEqual([]);
  });

  it('IGNORE_CRM on update still asks the CRM (UPDATE_REQUESTED) but returns at once', async () => {
    env = await startInstEnv({ crm: { update: 'slow', delayMs: 100 } });
    await env.createCi(ciRequest('c1'));
    const out = await env.updateCi({ ...ciRequest('c1'), fields: ['14'], num_nodes: 2, crm_override: CRMOverride.IGNORE_CRM });
    expect(out).toEqual({ messages: ['Update requested; not waiting for the CRM (IGNORE_CRM)'] });
    expect(storedCi('c1')?.state).toBe(TrackedState.UPDATE_REQUESTED);
    await waitFor(() => storedCi('c1')?.state === TrackedState.READY);
    expect(env.crm?.handled).toEqual(['ClusterInst create c1', 'ClusterInst update c1']);
  });

  it('IGNORE_CRM_ERRORS: a CRM error is forced to READY on create and to removal on delete, and reported', async () => {
    env = await startInstEnv({ crm: { mode: 'error' } });
    const create = await env.createCi({ ...ciRequest('c1'), crm_override: CRMOverride.IGNORE_CRM_ERRORS });
    expect(create).toEqual({ messages: ['Ready', 'ignored CRM errors: fake create failed', 'Created successfully'] });
    expect(storedCi('c1')).toMatchObject({ state: TrackedState.READY, crm_override: 0 });
    const del = await env.deleteCi({ ...ciRequest('c1'), crm_override: CRMOverride.IGNORE_CRM_ERRORS });
    expect(del.messages.slice(-2)).toEqual(['ignored CRM errors: fake delete failed', 'Deleted ClusterInst successfully']);
    expect(storedCi('c1')).toBeUndefined();
  });

  it('IGNORE_TRANSIENT_STATE: create over a stuck CREATING object asks a restarted CRM again', async () => {
    env = await startInstEnv({ crm: { create: 'slow', delayMs: 60_000 } });
    const first = env.createCi(ciRequest('c1'));
    await waitFor(() => storedCi('c1')?.state === TrackedState.CREATING);
    await env.crm?.stop(); // the CRM died while creating
    const { kinds, objects } = env.ctl.controller;
    await waitFor(() => objects.cache(kinds.cloudletInfo).values()[0]?.state === CloudletState.CLOUDLET_STATE_OFFLINE);
    const crm = await env.startCrm('edge1', { create: 'ready' });
    expect((await env.createCi(ciRequest('c1'))).error?.code).toBe('FAILED_PRECONDITION');
    const again = await env.createCi({ ...ciRequest('c1'), crm_override: CRMOverride.IGNORE_TRANSIENT_STATE });
    expect(again.error).toBeUndefined();
    expect(again.messages.slice(-2)).toEqual(['Ready', 'Created successfully']);
    expect((await first).error?.code).toBe('ABORTED');
    expect(storedCi('c1')?.state).toBe(TrackedState.READY);
    expect(crm.handled).toEqual(['ClusterInst create c1']);
  });

  it('IGNORE_CRM_AND_TRANSIENT_STATE: removes a busy object without its CRM; an invalid override is refused', async () => {
    env = await startInstEnv({ crm: { create: 'silent' } });
    const first = env.createCi(ciRequest('c1'));
    await waitFor(() => storedCi('c1')?.state === TrackedState.CREATE_REQUESTED);
    await env.crm?.stop();
    const del = await env.deleteCi({ ...ciRequest('c1'), crm_override: CRMOverride.IGNORE_CRM_AND_TRANSIENT_STATE });
    expect(del).toEqual({ messages: ['Deleted ClusterInst successfully'] });
    expect((await first).error?.code).toBe('ABORTED');
    expect(storedCi('c1')).toBeUndefined();
    expect((await env.createCi({ ...ciRequest('c1'), crm_override: 9 as CRMOverride })).error).toEqual({
      code: 'INVALID_ARGUMENT', details: 'invalid crm_override: 9 is not a known value',
    });
  });
});
