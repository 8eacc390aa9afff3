import { afterEach, describe, expect, it } from 'vitest';
import { LProto } from '../../../src/gen/dme/appcommon.js';
import { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import { IpAccess, Liveness, TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { collect } from '../../helpers/controller-harness.js';
import { aiRequest, ciRequest, cloudletKeyOf, outcome, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';

let env: InstEnv;
afterEach(async () => {
  await env.close();
});

function storedAi(request: AppInst) {
  return env.ctl.controller.objects.cache(env.ctl.controller.kinds.appInst).get(keyString.appInst(request.key));
}

function cloudletRefs(cloudlet = 'edge1') {
  return env.ctl.controller.objects.cache(env.ctl.controller.kinds.cloudletRefs).get(keyString.cloudlet(cloudletKeyOf(cloudlet)));
}

describe('AppInstApi through a CRM', () => {
  it('creates on a shared cluster: root-LB ports from 10000 by protocol bit, http on 443, uri, location, flavor, runtime', async () => {
    env = await startInstEnv();
    await env.createCi(ciRequest('shared1', 'edge1', { ip_access: IpAccess.IP_ACCESS_SHARED }));
    const face = aiRequest('face', 'shared1');
    const out = await env.createAi(face);
    expect(out.error).toBeUndefined();
    expect(out.messages.at(-1)).toBe('Created successfully');
    const ai = storedAi(face);
    expect(ai).toMatchObject({
      state: TrackedState.READY, liveness: Liveness.LIVENESS_STATIC, flavor: { name: 'x1.small' }, crm_override: 0,
      uri: 'edge1.tdg.cloudletd.net', cloudlet_loc: { latitude: 52.5, longitude: 13.4 }, runtime_info: { container_ids: ['face-0'] },
      mapped_ports: [
        { proto: LProto.L_PROTO_TCP, internal_port: 8008, public_port: 10000, path_prefix: '' },
        { proto: LProto.L_PROTO_UDP, internal_port: 8008, public_port: 10000, path_prefix: '' },
        { proto: LProto.L_PROTO_HTTP, internal_port: 8080, public_port: 443, path_prefix: 'face' },
      ],
    });
    expect(Number(ai?.created_at?.seconds)).toBeGreaterThan(Date.now() / 1000 - 60);
    await env.createAi(aiRequest('game', 'shared1'));
    expect(cloudletRefs()?.root_lb_ports).toEqual({ 10000: 3, 10001: 3 });
    const clusterRefs = env.ctl.controller.objects.cache(env.ctl.controller.kinds.clusterRefs).values();
    expect(clusterRefs).toHaveLength(1);
    expect(clusterRefs[0]).toMatchObject({ used_ram: 2048n, used_vcores: 2n, used_disk: 20n });
    expect(clusterRefs[0]?.apps.map((a) => a.name)).toEqual(['face', 'game']);
    expect((await collect(env.appInsts.showAppInst(AppInst.fromPartial({ key: face.key })))).map((a) => a.key?.app_key?.name)).toEqual(['face']);
    // Deleting one frees its ports; the next create takes the lowest free port again.
    expect((await env.deleteAi(face)).messages.at(-1)).toBe('Deleted AppInst successfully');
    expect(cloudletRefs()?.root_lb_ports).toEqual({ 10001: 3 });
  });

  it('creates on a dedicated cluster with public = internal ports and the cluster in the uri', async () => {
    env = await startInstEnv();
    await env.createCi(ciRequest('ded1', 'edge1', { ip_access: IpAccess.IP_ACCESS_DEDICATED }));
    const face = aiRequest('face', 'ded1', 'edge1', { flavor: { name: 'x1.medium' } });
    expect((await env.createAi(face)).error).toBeUndefined();
    expect(storedAi(face)).toMatchObject({
      uri: 'ded1.edge1.tdg.cloudletd.net', flavor: { name: 'x1.medium' },
      mapped_ports: [{ public_port: 8008 }, { public_port: 8008 }, { public_port: 8080, path_prefix: '' }],
    });
    expect(cloudletRefs()?.root_lb_ports).toEqual({});
  });

  it('refuses Update with UNIMPLEMENTED and a ClusterInst delete while AppInsts use it', async () => {
    env = await startInstEnv();
    const ci = ciRequest('c1');
    await env.createCi(ci);
    const face = aiRequest('face', 'c1');
    await env.createAi(face);
    expect((await outcome(env.appInsts.updateAppInst(face))).error).toEqual({
      code: 'UNIMPLEMENTED', details: 'update of app instances is not supported: delete the AppInst and create it again',
    });
    expect((await env.deleteCi(ci)).error).toEqual({
      code: 'FAILED_PRECONDITION', details: 'ClusterInst c1 on cloudlet edge1 in use by AppInst face 1.0 on cluster c1 of cloudlet edge1',
    });
  });

  it('keeps a failed AppInst in CREATE_ERROR with the CRM errors and runtime_info, and deletes it later', async () => {
    env = await startInstEnv({ crm: { create: 'ready' } });
    await env.createCi(ciRequest('c1'));
    if (env.crm) env.crm.modes.create = 'error';
    const face = aiRequest('face', 'c1');
    const out = await env.createAi(face);
    expect(out.error).toEqual({ code: 'ABORTED', details: 'create AppInst face 1.0 on cluster c1 of cloudlet edge1 failed: fake create failed' });
    expect(storedAi(face)).toMatchObject({ state: TrackedState.CREATE_ERROR, errors: ['fake create failed'] });
    expect((await env.deleteAi(face)).error).toBeUndefined();
    expect(storedAi(face)).toBeUndefined();
  });
});
