import { afterEach, describe, expect, it } from 'vitest';
import { LProto } from '../../../src/gen/dme/appcommon.js';
import { CRMOverride, IpAccess } from '../../../src/gen/edgeproto/common.js';
import type { CloudletRefs } from '../../../src/gen/edgeproto/refs.js';
import { keyString } from '../../../src/wire/object-key.js';
import { aiRequest, ciRequest, cloudletKeyOf, FLAVORS, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';

let env: InstEnv;
afterEach(async () => {
  await env.close();
});

function refsOf(cloudlet: string): CloudletRefs | undefined {
  return env.ctl.controller.objects.cache(env.ctl.controller.kinds.cloudletRefs).get(keyString.cloudlet(cloudletKeyOf(cloudlet)));
}

/** The refs an independent count of the stored objects gives (flavor × max(1, masters + nodes) per ClusterInst). */
function expectedRefs(cloudlet: string) {
  const { kinds, objects } = env.ctl.controller;
  const flavor = (name: string | undefined) => FLAVORS.find((f) => f.key?.name === name);
  const cis = objects.cache(kinds.clusterInst).values().filter((ci) => ci.key?.cloudlet_key?.name === cloudlet);
  let ram = 0n;
  let vcores = 0n;
  let disk = 0n;
  for (const ci of cis) {
    const n = BigInt(Math.max(1, ci.num_masters + ci.num_nodes));
    ram += (flavor(ci.flavor?.name)?.ram ?? 0n) * n;
    vcores += (flavor(ci.flavor?.name)?.vcpus ?? 0n) * n;
    disk += (flavor(ci.flavor?.name)?.disk ?? 0n) * n;
  }
  const ports: Record<number, number> = {};
  for (const ai of objects.cache(kinds.appInst).values().filter((a) => a.key?.cluster_inst_key?.cloudlet_key?.name === cloudlet)) {
    const ci = objects.cache(kinds.clusterInst).get(keyString.clusterInst(ai.key?.cluster_inst_key));
    if (ci?.ip_access !== IpAccess.IP_ACCESS_SHARED) continue;
    for (const p of ai.mapped_ports) if (p.public_port >= 10000) ports[p.public_port] = (ports[p.public_port] ?? 0) | (p.proto === LProto.L_PROTO_TCP ? 1 : 2);
  }
  return {
    used_ram: ram, used_vcores: vcores, used_disk: disk, root_lb_ports: ports,
    used_dynamic_ips: cis.filter((ci) => ci.ip_access === IpAccess.IP_ACCESS_DEDICATED).length,
    clusters: expect.arrayContaining(cis.map((ci) => ({ name: ci.key?.cluster_key?.name ?? '' }))) as unknown,
  };
}

describe('cloudlet resources', () => {
  it('refuses a ClusterInst that does not fit the CloudletInfo limits with RESOURCE_EXHAUSTED naming the amounts', async () => {
    env = await startInstEnv({ crm: { info: { os_max_ram: 3072n, os_max_vcores: 0n, os_max_vol_gb: 0n } } });
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined(); // 2 × 1024 MB
    expect((await env.createCi(ciRequest('c2'))).error).toEqual({
      code: 'RESOURCE_EXHAUSTED', details: 'not enough RAM on cloudlet edge1: need 2048 MB more, 2048 MB of 3072 MB in use',
    });
    expect((await env.updateCi({ ...ciRequest('c1'), fields: ['14'], num_nodes: 3 })).error?.code).toBe('RESOURCE_EXHAUSTED');
    expect((await env.createCi(ciRequest('c2', 'edge1', { num_nodes: 0 }))).error).toBeUndefined(); // 1 × 1024 MB
    expect(refsOf('edge1')?.used_ram).toBe(3072n);
    // Deleting frees the resources in the same transaction.
    await env.deleteCi(ciRequest('c1'));
    expect(refsOf('edge1')?.used_ram).toBe(1024n);
    expect((await env.createCi(ciRequest('c3'))).error).toBeUndefined();
  });

  it('counts dedicated IPs against num_dynamic_ips: explicit DEDICATED is refused, DEDICATED_OR_SHARED falls back to SHARED', async () => {
    env = await startInstEnv();
    await env.createCi(ciRequest('c1'));
    await env.createCi(ciRequest('c2', 'edge1', { ip_access: IpAccess.IP_ACCESS_DEDICATED_OR_SHARED }));
    expect(refsOf('edge1')?.used_dynamic_ips).toBe(2);
    expect((await env.createCi(ciRequest('c3', 'edge1', { ip_access: IpAccess.IP_ACCESS_DEDICATED }))).error).toEqual({
      code: 'RESOURCE_EXHAUSTED', details: 'no dynamic IP left on cloudlet edge1: 2 of 2 in use',
    });
    await env.createCi(ciRequest('c3'));
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.clusterInst).get(keyString.clusterInst(ciRequest('c3').key))?.ip_access).toBe(IpAccess.IP_ACCESS_SHARED);
  });

  it('refs equal the sum of what exists after a mix of creates, failures, updates and deletes', async () => {
    env = await startInstEnv();
    await env.startCrm('edge2');
    const shared = { ip_access: IpAccess.IP_ACCESS_SHARED };
    await env.createCi(ciRequest('a', 'edge1', { ...shared, flavor: { name: 'x1.medium' }, num_nodes: 2 }));
    await env.createCi(ciRequest('b', 'edge1'));
    await env.createCi(ciRequest('c', 'edge2', { flavor: { name: 'x1.large' } }));
    await env.createAi(aiRequest('face', 'a'));
    await env.createAi(aiRequest('game', 'a', 'edge1', { flavor: { name: 'x1.medium' } }));
    await env.createAi(aiRequest('face', 'autoclusterf', 'edge1', { auto_cluster_ip_access: IpAccess.IP_ACCESS_SHARED }));
    await env.createAi(aiRequest('game', 'c', 'edge2'));
    if (env.crm) env.crm.modes.create = 'error';
    await env.createCi(ciRequest('broken', 'edge1', { num_nodes: 4 })); // stays in CREATE_ERROR, still counted
    await env.updateCi({ ...ciRequest('b'), fields: ['14'], num_nodes: 3 });
    await env.deleteAi(aiRequest('face', 'a'));
    await env.deleteCi({ ...ciRequest('c', 'edge2'), crm_override: CRMOverride.IGNORE_CRM }).catch(() => undefined); // refused: in use
    await env.deleteAi(aiRequest('game', 'c', 'edge2'));
    await env.deleteCi(ciRequest('c', 'edge2'));
    for (const cloudlet of ['edge1', 'edge2']) expect(refsOf(cloudlet)).toMatchObject(expectedRefs(cloudlet));
    expect(refsOf('edge1')?.root_lb_ports).toEqual({ 10001: 3, 10002: 3 });
    expect(refsOf('edge2')).toMatchObject({ clusters: [], used_ram: 0n });
    const { kinds, objects } = env.ctl.controller;
    const clusterRefs = objects.cache(kinds.clusterRefs).values();
    expect(clusterRefs.map((r) => [r.key?.cluster_key?.name, r.apps.map((a) => a.name), r.used_ram]).sort()).toEqual([
      ['a', ['game'], 4096n], ['autoclusterf', ['face'], 1024n], ['b', [], 0n], ['broken', [], 0n],
    ]);
  });
});
