import { afterEach, describe, expect, it } from 'vitest';
import { ClusterInst } from '../../../src/gen/edgeproto/clusterinst.js';
import { IpAccess, Liveness, TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { collect } from '../../helpers/controller-harness.js';
import { ciRequest, cloudletKeyOf, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

let env: InstEnv;
afterEach(async () => {
  await env.close();
});

function stored(key: ClusterInst['key']) {
  return env.ctl.controller.objects.cache(env.ctl.controller.kinds.clusterInst).get(keyString.clusterInst(key));
}

describe('ClusterInstApi through a CRM', () => {
  it('creates: streams the states, ends READY, fills the controller fields and the implicit Cluster', async () => {
    env = await startInstEnv();
    const request = ciRequest('c1');
    const out = await env.createCi(request);
    expect(out.error).toBeUndefined();
    expect(out.messages.at(-1)).toBe('Created successfully');
    expect(out.messages).toContain('Ready');
    const ci = stored(request.key);
    expect(ci).toMatchObject({
      state: TrackedState.READY, errors: [], liveness: Liveness.LIVENESS_STATIC, auto: false, crm_override: 0,
      flavor: { name: 'x1.small' }, deployment: 'kubernetes', ip_access: IpAccess.IP_ACCESS_DEDICATED,
    });
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.cluster).get(keyString.cluster({ name: 'c1' }))).toMatchObject({ auto: false, default_flavor: { name: 'x1.small' } });
    expect(env.crm?.handled).toEqual(['ClusterInst create c1']);
    // The CRM saw the object without the override, and Show streams it.
    expect(env.crm?.client.clusterInsts.values().map((c) => c.crm_override)).toEqual([0]);
    expect(await collect(env.clusterInsts.showClusterInst(ClusterInst.fromPartial({ key: request.key })))).toEqual([ci]);
  });

  it('deletes: DELETE_REQUESTED, success when the CRM deleted its info; refs freed', async () => {
    env = await startInstEnv();
    const request = ciRequest('c1');
    await env.createCi(request);
    const out = await env.deleteCi(request);
    expect(out).toEqual({ messages: expect.arrayContaining(['Deleted ClusterInst successfully']) as unknown });
    expect(stored(request.key)).toBeUndefined();
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.cloudletRefs).get(keyString.cloudlet(cloudletKeyOf('edge1')))).toMatchObject({
      clusters: [], used_ram: 0n, used_vcores: 0n, used_disk: 0n, used_dynamic_ips: 0,
    });
    expect(objects.cache(kinds.clusterRefs).size).toBe(0);
  });

  it('updates num_nodes from READY only, waits for READY, and refuses other fields', async () => {
    env = await startInstEnv({ crm: { update: 'slow', delayMs: 100 } });
    const request = ciRequest('c1');
    await env.createCi(request);
    const out = await env.updateCi({ ...request, fields: ['14'], num_nodes: 3 });
    expect(out.error).toBeUndefined();
    expect(out.messages).toEqual(['Updating', 'Ready', 'Updated successfully']);
    expect(stored(request.key)).toMatchObject({ num_nodes: 3, state: TrackedState.READY });
    const refs = env.ctl.controller.objects.cache(env.ctl.controller.kinds.cloudletRefs).get(keyString.cloudlet(cloudletKeyOf('edge1')));
    expect(refs?.used_ram).toBe(4n * 1024n);
    expect((await env.updateCi({ ...request, fields: ['3'] })).error).toEqual({
      code: 'INVALID_ARGUMENT', details: 'invalid fields: "3" cannot be updated; only num_nodes (14) can',
    });
  });

  it('reports a CRM create error as ABORTED and keeps the object in CREATE_ERROR; Delete then works', async () => {
    env = await startInstEnv({ crm: { create: 'error' } });
    const request = ciRequest('c1');
    const out = await env.createCi(request);
    expect(out.error).toEqual({ code: 'ABORTED', details: 'create ClusterInst c1 on cloudlet edge1 failed: fake create failed' });
    expect(out.messages).toEqual(['CreateError']);
    expect(stored(request.key)).toMatchObject({ state: TrackedState.CREATE_ERROR, errors: ['fake create failed'] });
    // A second create is refused and tells why.
    expect((await env.createCi(request)).error).toEqual({
      code: 'ALREADY_EXISTS',
      details: 'ClusterInst c1 on cloudlet edge1 already exists: previous create failed (fake create failed); delete it and try again',
    });
    expect((await env.deleteCi(request)).error).toBeUndefined();
    expect(stored(request.key)).toBeUndefined();
  });

  it('a DELETE_ERROR object can be created again, and deleted once the CRM succeeds', async () => {
    env = await startInstEnv({ crm: { delete: 'error' } });
    const request = ciRequest('c1');
    await env.createCi(request);
    expect((await env.deleteCi(request)).error).toEqual({ code: 'ABORTED', details: 'delete ClusterInst c1 on cloudlet edge1 failed: fake delete failed' });
    expect(stored(request.key)?.state).toBe(TrackedState.DELETE_ERROR);
    expect((await env.createCi(request)).error).toBeUndefined();
    if (env.crm) env.crm.modes.delete = 'ready';
    expect((await env.deleteCi(request)).error).toBeUndefined();
    expect(stored(request.key)).toBeUndefined();
  });

  it('refuses a busy object unless IGNORE_TRANSIENT_STATE, and the superseded call ends ABORTED', async () => {
    env = await startInstEnv({ crm: { create: 'silent' } });
    const request = ciRequest('c1');
    const creating = env.createCi(request);
    await waitFor(() => stored(request.key)?.state === TrackedState.CREATE_REQUESTED);
    expect((await env.deleteCi(request)).error).toEqual({
      code: 'FAILED_PRECONDITION',
      details: 'ClusterInst c1 on cloudlet edge1 is busy, state is CreateRequested; wait for it or use crm_override IGNORE_TRANSIENT_STATE',
    });
    const del = await env.deleteCi({ ...request, crm_override: 3 });
    expect(del.error).toBeUndefined();
    expect((await creating).error).toEqual({ code: 'ABORTED', details: 'create ClusterInst c1 on cloudlet edge1 was superseded by another operation on it' });
    expect(stored(request.key)).toBeUndefined();
  });
});
