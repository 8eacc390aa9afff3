import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/cli/api-client.js';
import { cloudletLabel, demoCity, demoData, type DemoData } from '../../../src/cli/demo-data.js';
import { appInstItem, catalogGroups, clusterInstItem, instancesOn, waitCloudletOnline, type SeedContext, type SeedOutcome } from '../../../src/cli/demo-seed.js';
import { validateApp } from '../../../src/controller/validation/app-validation.js';
import { parseAccessPorts } from '../../../src/controller/validation/access-ports.js';
import { normalizeAppInstRequest } from '../../../src/controller/api/appinst-create.js';
import { validateCloudlet } from '../../../src/controller/api/cloudlet-api.js';
import { nodeFlavor, validateClusterInstRequest } from '../../../src/controller/api/clusterinst-create.js';
import { validateDeveloper } from '../../../src/controller/api/developer-api.js';
import { validateFlavor } from '../../../src/controller/api/flavor-api.js';
import { validateOperator } from '../../../src/controller/api/operator-api.js';
import { hasCode } from '../../../src/core/errors.js';
import { AppInst, AppInstApiService } from '../../../src/gen/edgeproto/app_inst.js';
import { CloudletInfo, CloudletState, type CloudletKey } from '../../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst, ClusterInstApiService } from '../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { isValidClusterName, isValidObjectName } from '../../../src/wire/object-name.js';
import { DEFAULT_FLAVORS } from '../../../platforms/fake/settings.js';
import { startTestController, type TestController } from '../../helpers/controller-harness.js';
import { startTestCrm, type CrmModes, type TestCrm } from '../../helpers/test-crm.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Great-circle distance in km (haversine), to check that the cities are where the coordinates say. */
function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = (d: number): number => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.latitude - a.latitude) / 2) ** 2
    + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(rad(b.longitude - a.longitude) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

describe('demoData', () => {
  const data = demoData();

  it('has two operators, three cloudlets in three cities, three flavors, a developer, two apps and their instances', () => {
    expect(data.operators.map((o) => o.key?.name)).toEqual(['TDG', 'Orange']);
    expect(data.cloudlets.map((c) => cloudletLabel(c.key))).toEqual(['TDG/berlin-edge-1', 'TDG/munich-edge-1', 'Orange/paris-edge-1']);
    expect(data.cloudlets.map((c) => demoCity(c.key))).toEqual(['Berlin', 'Munich', 'Paris']);
    expect(data.flavors.map((f) => f.key?.name)).toEqual(['x1.small', 'x1.medium', 'x1.large']);
    expect(data.developers).toHaveLength(1);
    expect(data.apps).toHaveLength(2);
    expect(data.clusterInsts).toHaveLength(3);
    expect(data.appInsts).toHaveLength(6);
  });

  it('passes the controller validation of every object', () => {
    for (const o of data.operators) expect(() => validateOperator(o)).not.toThrow();
    for (const c of data.cloudlets) expect(() => validateCloudlet(c)).not.toThrow();
    for (const f of data.flavors) expect(() => validateFlavor(f)).not.toThrow();
    for (const d of data.developers) expect(() => validateDeveloper(d)).not.toThrow();
    for (const a of data.apps) expect(validateApp(a).deployment).toBe('docker');
    for (const ci of data.clusterInsts) expect(() => validateClusterInstRequest(ci)).not.toThrow();
    for (const ai of data.appInsts) expect(normalizeAppInstRequest(ai).key?.cluster_inst_key?.developer).toBe('AcmeGames');
  });

  it('uses valid names, realistic coordinates, sizes and ports', () => {
    const names = [
      ...data.operators.map((o) => o.key?.name), ...data.cloudlets.map((c) => c.key?.name), ...data.flavors.map((f) => f.key?.name),
      ...data.developers.map((d) => d.key?.name), ...data.apps.flatMap((a) => [a.key?.name, a.key?.version]),
    ];
    for (const name of names) expect(isValidObjectName(name ?? ''), name).toBe(true);
    for (const ci of data.clusterInsts) expect(isValidClusterName(ci.key?.cluster_key?.name ?? '')).toBe(true);
    const cities = { Berlin: { latitude: 52.52, longitude: 13.405 }, Munich: { latitude: 48.137, longitude: 11.575 }, Paris: { latitude: 48.857, longitude: 2.352 } };
    for (const c of data.cloudlets) {
      const city = cities[demoCity(c.key) as keyof typeof cities];
      expect(distanceKm(c.location ?? { latitude: 0, longitude: 0 }, city)).toBeLessThan(20);
    }
    for (const f of data.flavors) {
      expect(f.ram % 1024n).toBe(0n);
      expect(f.ram / f.vcpus).toBe(2048n);
    }
    expect(data.apps.map((a) => parseAccessPorts(a.access_ports).length)).toEqual([2, 1]);
    for (const a of data.apps) expect(a.image_path).toMatch(/^docker\.io\/acmegames\/[a-z-]+:\d+\.\d+\.\d+$/);
  });

  it('refers only to objects created earlier: operators, flavors, developer, apps, ClusterInsts', () => {
    const has = (list: { key?: unknown }[], key: unknown): boolean => list.some((o) => JSON.stringify(o.key) === JSON.stringify(key));
    for (const c of data.cloudlets) expect(has(data.operators, c.key?.operator_key)).toBe(true);
    for (const a of data.apps) {
      expect(has(data.developers, a.key?.developer_key)).toBe(true);
      expect(has(data.flavors, a.default_flavor)).toBe(true);
    }
    for (const ci of data.clusterInsts) {
      expect(has(data.flavors, ci.flavor)).toBe(true);
      expect(has(data.cloudlets, ci.key?.cloudlet_key)).toBe(true);
    }
    for (const ai of data.appInsts) {
      expect(has(data.apps, ai.key?.app_key)).toBe(true);
      expect(has(data.clusterInsts, ai.key?.cluster_inst_key)).toBe(true);
    }
    const keys = data.appInsts.map((ai) => keyString.appInst(ai.key));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('fits the fake platform: each ClusterInst flavor has a platform flavor', () => {
    const info = CloudletInfo.fromPartial({
      flavors: DEFAULT_FLAVORS.map((f) => ({ name: f.name, vcpus: BigInt(f.vcpus), ram: BigInt(f.ramMb), disk: BigInt(f.diskGb) })),
    });
    for (const ci of data.clusterInsts) {
      const flavor = data.flavors.find((f) => f.key?.name === ci.flavor?.name);
      expect(flavor).toBeDefined();
      if (flavor) expect(nodeFlavor(flavor, info)).not.toBe('');
    }
  });

  it('builds fresh objects on every call', () => {
    const a = demoData();
    const b = demoData();
    expect(a).toEqual(b);
    a.cloudlets[0]!.num_dynamic_ips = 99;
    expect(b.cloudlets[0]!.num_dynamic_ips).toBe(8);
  });
});

describe('demo seed against a real controller', () => {
  let ctl: TestController | undefined;
  let api: ApiClient | undefined;
  const crms: TestCrm[] = [];

  afterEach(async () => {
    api?.close();
    for (const crm of crms.splice(0)) await crm.stop();
    await ctl?.close();
    ctl = undefined;
  });

  function context(progress: string[] = []): SeedContext {
    if (!api) throw new Error('no api');
    return { api, signal: new AbortController().signal, timeoutMs: 5_000, progress: (m) => progress.push(m) };
  }

  async function seedCatalog(data: DemoData): Promise<SeedOutcome[]> {
    const outcomes: SeedOutcome[] = [];
    for (const group of catalogGroups(data)) {
      outcomes.push(...(await Promise.all(group.items.map((item) => item.run(context())))));
    }
    return outcomes;
  }

  async function startCrms(data: DemoData, modes: CrmModes = {}): Promise<void> {
    for (const c of data.cloudlets) {
      const crm = startTestCrm(ctl?.notifyAddress ?? '', c.key as CloudletKey, modes);
      crms.push(crm);
      await waitCloudletOnline(c.key as CloudletKey, context());
    }
  }

  async function seedInstances(data: DemoData): Promise<SeedOutcome[]> {
    const outcomes: SeedOutcome[] = [];
    for (const c of data.cloudlets) {
      const { clusterInsts, appInsts } = instancesOn(data, c.key as CloudletKey);
      for (const item of [...clusterInsts, ...appInsts]) outcomes.push(await item.run(context()));
    }
    return outcomes;
  }

  it('creates everything through the API, READY, and a second seed finds it all existing', async () => {
    ctl = await startTestController();
    api = new ApiClient(ctl.apiAddress);
    const data = demoData();
    expect(await seedCatalog(data)).toEqual(Array(11).fill('created'));
    await startCrms(data);
    expect(await seedInstances(data)).toEqual(Array(9).fill('created'));

    expect(await seedCatalog(demoData())).toEqual(Array(11).fill('existing'));
    expect(await seedInstances(demoData())).toEqual(Array(9).fill('existing'));
    const appInsts = await api.stream(AppInstApiService.showAppInst, AppInst.fromPartial({}));
    expect(appInsts).toHaveLength(6);
    expect(appInsts.every((ai) => ai.state === TrackedState.READY)).toBe(true);
    const clusterInsts = await api.stream(ClusterInstApiService.showClusterInst, ClusterInst.fromPartial({}));
    expect(clusterInsts.map((ci) => ci.state)).toEqual([TrackedState.READY, TrackedState.READY, TrackedState.READY]);
  });

  it('waits for an instance a previous run left in progress, and recreates one whose create failed', async () => {
    ctl = await startTestController();
    api = new ApiClient(ctl.apiAddress);
    const data = demoData();
    await seedCatalog(data);
    await startCrms(data, { create: 'error' });
    const ci = data.clusterInsts[0]!;
    await expect(clusterInstItem(ci).run(context())).rejects.toThrow(/fake create failed/);

    for (const crm of crms) crm.modes.create = 'slow';
    const progress: string[] = [];
    expect(await clusterInstItem(ci).run(context(progress))).toBe('created');
    expect(progress.some((p) => p.includes('previous create failed'))).toBe(true);

    // A create still in progress when this run starts: it is followed, not created twice.
    const ai = data.appInsts[0]!;
    const client = api;
    const first = client.stream(AppInstApiService.createAppInst, ai);
    await waitFor(async () => (await client.stream(AppInstApiService.showAppInst, AppInst.fromPartial({ key: ai.key }))).length === 1);
    expect(await appInstItem(ai).run(context(progress))).toBe('existing');
    await first;
    expect(progress.some((p) => /^exists, state (CREATE_REQUESTED|CREATING)$/.test(p))).toBe(true);
    const shown = await api.stream(AppInstApiService.showAppInst, AppInst.fromPartial({ key: ai.key }));
    expect(shown.map((a) => a.state)).toEqual([TrackedState.READY]);
  });

  it('ends with a clear error: cloudlet without a CRM, deadline of a silent CRM', async () => {
    ctl = await startTestController();
    api = new ApiClient(ctl.apiAddress);
    const data = demoData();
    await seedCatalog(data);
    const ci = data.clusterInsts[0]!;
    const notReady = await clusterInstItem(ci).run(context()).catch((e: unknown) => e);
    expect(hasCode(notReady, 'FAILED_PRECONDITION')).toBe(true);
    expect(String(notReady)).toMatch(/cloudlet berlin-edge-1 not ready/);

    const key = ci.key?.cloudlet_key as CloudletKey;
    const offline = await waitCloudletOnline(key, { ...context(), timeoutMs: 300 }).catch((e: unknown) => e);
    expect(hasCode(offline, 'DEADLINE_EXCEEDED')).toBe(true);
    expect(String(offline)).toMatch(/CloudletInfo of TDG\/berlin-edge-1: not done within 0 s \(last: not reported yet\)/);

    crms.push(startTestCrm(ctl.notifyAddress, key, { mode: 'silent', info: { state: CloudletState.CLOUDLET_STATE_READY } }));
    await waitCloudletOnline(key, context());
    const silent = await clusterInstItem(ci).run({ ...context(), timeoutMs: 500 }).catch((e: unknown) => e);
    expect(hasCode(silent, 'DEADLINE_EXCEEDED')).toBe(true);
    expect(String(silent)).toMatch(/ClusterInst acme-games on TDG\/berlin-edge-1: not done within 1 s/);
  });
});
