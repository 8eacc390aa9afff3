/**
 * Crash safety of the controller process: a storm of concurrent creates over gRPC, `kill -9` mid-storm, restart
 * on the same data directory. Every create that returned success must be there, nothing may be half-written
 * (every stored record decodes; CloudletRefs equal what the stored ClusterInsts use), and a CRM can resync.
 */
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import type { ObjectKind } from '../../../src/cache/object-kind.js';
import { operationKind } from '../../../src/controller/state/operations.js';
import { Cloudlet, CloudletInfo, type CloudletKey } from '../../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst, ClusterInstApiClient } from '../../../src/gen/edgeproto/clusterinst.js';
import { CRMOverride, IpAccess, TrackedState } from '../../../src/gen/edgeproto/common.js';
import { Controller } from '../../../src/gen/edgeproto/controller.js';
import { Developer } from '../../../src/gen/edgeproto/developer.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { Operator } from '../../../src/gen/edgeproto/operator.js';
import type { CloudletRefs } from '../../../src/gen/edgeproto/refs.js';
import { LmdbStore } from '../../../src/store/lmdb-store.js';
import { decodeMessage } from '../../../src/wire/decode.js';
import { keyString } from '../../../src/wire/object-key.js';
import { catalogClients, type CatalogClients } from '../../helpers/catalog-clients.js';
import { cloudletClients, type CloudletClients } from '../../helpers/cloudlet-clients.js';
import { call, collect, insecure } from '../../helpers/controller-harness.js';
import { spawnController, type ControllerProcess } from '../../helpers/controller-process.js';
import { cloudletInfo } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient } from '../../helpers/notify-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-crash-'));
const procs: ControllerProcess[] = [];
afterAll(() => {
  for (const p of procs) p.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const kinds = edgeprotoKinds();
const WORKERS = 16;
const KILL_AFTER_SUCCESSES = 200;
const SEEDED_CLOUDLETS = ['seed-0', 'seed-1', 'seed-2', 'seed-3'];
const seedKey = (name: string): CloudletKey => ({ operator_key: { name: 'TDG' }, name });
const base = Flavor.fromPartial({ key: { name: 'base' }, ram: 2048n, vcpus: 2n, disk: 20n });

interface Clients {
  readonly catalog: CatalogClients;
  readonly cloudlets: CloudletClients;
  readonly clusterInsts: ClusterInstApiClient;
  close(): void;
}

function clientsOf(address: string): Clients {
  const catalog = catalogClients(address);
  const cloudlets = cloudletClients(address);
  const clusterInsts = new ClusterInstApiClient(address, insecure);
  return { catalog, cloudlets, clusterInsts, close: () => (catalog.close(), cloudlets.close(), clusterInsts.close()) };
}

/** Statuses of a call to a process that was killed: UNAVAILABLE, CANCELLED, INTERNAL (stream cut mid-response). */
const PROCESS_GONE: ReadonlySet<number> = new Set([grpc.status.UNAVAILABLE, grpc.status.CANCELLED, grpc.status.INTERNAL]);

/** One create the storm made: what, and its key string in its kind. */
interface Created {
  readonly kind: ObjectKind;
  readonly key: string;
}

/** Runs one worker's creates until a call fails (the process was killed); pushes every success. */
async function worker(w: number, c: Clients, successes: Created[], inFlight: Set<string>): Promise<void> {
  for (let n = 0; ; n++) {
    const name = `w${w}-${n}`;
    const step = n % 4;
    const label = `${step} ${name}`;
    inFlight.add(label);
    try {
      if (step === 0) {
        const flavor = Flavor.fromPartial({ key: { name: `f-${name}` }, ram: 1024n, vcpus: 1n, disk: 10n });
        await call(c.catalog.flavors.createFlavor.bind(c.catalog.flavors), flavor);
        successes.push({ kind: kinds.flavor, key: keyString.flavor(flavor.key) });
      } else if (step === 1) {
        const operator = Operator.fromPartial({ key: { name: `op-${name}` } });
        await call(c.catalog.operators.createOperator.bind(c.catalog.operators), operator);
        successes.push({ kind: kinds.operator, key: keyString.operator(operator.key) });
      } else if (step === 2) {
        const cloudlet = Cloudlet.fromPartial({ key: { operator_key: { name: `op-w${w}-${n - 1}` }, name: `cl-${name}` }, location: { latitude: 1, longitude: 2 } });
        await collect(c.cloudlets.cloudlets.createCloudlet(cloudlet));
        successes.push({ kind: kinds.cloudlet, key: keyString.cloudlet(cloudlet.key) });
      } else {
        const ci = ClusterInst.fromPartial({
          key: { cluster_key: { name: `ci-${name}`.toLowerCase() }, cloudlet_key: seedKey(SEEDED_CLOUDLETS[w % SEEDED_CLOUDLETS.length] ?? ''), developer: 'Acme' },
          flavor: { name: 'base' },
          ip_access: IpAccess.IP_ACCESS_SHARED,
          num_masters: 1,
          num_nodes: (n % 3) + 1,
          crm_override: CRMOverride.IGNORE_CRM,
        });
        await collect(c.clusterInsts.createClusterInst(ci));
        successes.push({ kind: kinds.clusterInst, key: keyString.clusterInst(ci.key) });
      }
    } catch (err) {
      const code = (err as grpc.ServiceError).code;
      if (PROCESS_GONE.has(code)) return;
      throw err;
    } finally {
      inFlight.delete(label);
    }
  }
}

/** Reads every record of the store directly; fails on a record that does not decode or belongs to no kind. */
async function readStore(dir: string): Promise<Map<string, Map<string, unknown>>> {
  const codecs = new Map<string, ObjectKind>([...Object.values(kinds), operationKind].map((k: ObjectKind) => [k.name, k]));
  const store = await LmdbStore.open({ dataDir: dir });
  const out = new Map<string, Map<string, unknown>>();
  try {
    const { kvs, more } = await store.list('');
    expect(more).toBe(false);
    for (const kv of kvs) {
      const slash = kv.key.indexOf('/');
      const kindName = kv.key.slice(0, slash);
      const kind = codecs.get(kindName);
      expect(kind, `record ${kv.key} belongs to no kind`).toBeDefined();
      const value = decodeMessage((kind as ObjectKind).codec, kv.value, kv.key); // throws if half-written
      const byKey = out.get(kindName) ?? new Map<string, unknown>();
      byKey.set(kv.key.slice(slash + 1), value);
      out.set(kindName, byKey);
    }
  } finally {
    await store.close();
  }
  return out;
}

/** CloudletRefs computed in the test from the stored ClusterInsts and Flavors: clusters, RAM, vCPUs, disk. */
function expectedRefs(stored: Map<string, Map<string, unknown>>, cloudlet: string) {
  const flavors = stored.get(kinds.flavor.name) ?? new Map<string, unknown>();
  const cis = [...(stored.get(kinds.clusterInst.name)?.values() ?? [])] as ClusterInst[];
  const on = cis.filter((ci) => keyString.cloudlet(ci.key?.cloudlet_key) === cloudlet);
  let ram = 0n;
  let vcores = 0n;
  let disk = 0n;
  for (const ci of on) {
    const f = flavors.get(keyString.flavor(ci.flavor)) as Flavor | undefined;
    const nodes = BigInt(Math.max(1, ci.num_masters + ci.num_nodes));
    ram += (f?.ram ?? 0n) * nodes;
    vcores += (f?.vcpus ?? 0n) * nodes;
    disk += (f?.disk ?? 0n) * nodes;
  }
  return { clusters: on.map((ci) => ci.key?.cluster_key?.name ?? '').sort(), used_ram: ram, used_vcores: vcores, used_disk: disk };
}

describe('controller crash (kill -9 mid-storm)', () => {
  it('keeps every acknowledged create, writes nothing half, and serves a CRM after restart', { timeout: 90_000 }, async () => {
    const args = ['--api-addr', '127.0.0.1:0', '--notify-addr', '127.0.0.1:0', '--data-dir', dataDir, '--store', 'lmdb', '--log-level', 'info'];
    const first = await spawnController(args);
    procs.push(first);
    const c = clientsOf(first.apiAddress);
    await call(c.catalog.operators.createOperator.bind(c.catalog.operators), Operator.fromPartial({ key: { name: 'TDG' } }));
    await call(c.catalog.developers.createDeveloper.bind(c.catalog.developers), Developer.fromPartial({ key: { name: 'Acme' } }));
    await call(c.catalog.flavors.createFlavor.bind(c.catalog.flavors), base);
    for (const name of SEEDED_CLOUDLETS) await collect(c.cloudlets.cloudlets.createCloudlet(Cloudlet.fromPartial({ key: seedKey(name), location: { latitude: 1, longitude: 1 } })));

    const successes: Created[] = [];
    const inFlight = new Set<string>();
    const stormStart = performance.now();
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w, c, successes, inFlight));
    await waitFor(() => successes.length >= KILL_AFTER_SUCCESSES, { timeoutMs: 30_000, intervalMs: 1 });
    const inFlightAtKill = inFlight.size;
    first.child.kill('SIGKILL');
    const stormMs = performance.now() - stormStart;
    await Promise.all(workers);
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    c.close();
    const acknowledged = [...successes];
    expect(inFlightAtKill).toBeGreaterThan(0);

    // 1. The store on disk, read directly: every record decodes, every acknowledged create is there.
    const stored = await readStore(dataDir);
    const stormRecords = [kinds.flavor, kinds.operator, kinds.cloudlet, kinds.clusterInst]
      .reduce((n, k) => n + [...(stored.get(k.name)?.keys() ?? [])].filter((key) => /"(f-|op-|cl-|ci-)w\d+-/.test(key)).length, 0);
    console.info(`storm: ${acknowledged.length} acknowledged creates in ${stormMs.toFixed(0)} ms; ${inFlightAtKill} in flight at kill -9, `
      + `${stormRecords - acknowledged.length} of them committed`);
    for (const { kind, key } of acknowledged) expect(stored.get(kind.name)?.has(key), `${kind.name} ${key}`).toBe(true);
    const storedCis = [...(stored.get(kinds.clusterInst.name)?.values() ?? [])] as ClusterInst[];
    expect(storedCis.length).toBeGreaterThan(0);
    for (const ci of storedCis) expect(ci.state).toBe(TrackedState.READY);
    // 2. CloudletRefs equal what exists: each stored ClusterInst is accounted, sums match, nothing extra.
    for (const name of SEEDED_CLOUDLETS) {
      const key = keyString.cloudlet(seedKey(name));
      const refs = stored.get(kinds.cloudletRefs.name)?.get(key) as CloudletRefs | undefined;
      const expected = expectedRefs(stored, key);
      if (expected.clusters.length === 0 && !refs) continue;
      expect({
        clusters: (refs?.clusters ?? []).map((k) => k.name).sort(),
        used_ram: refs?.used_ram, used_vcores: refs?.used_vcores, used_disk: refs?.used_disk,
      }, name).toEqual(expected);
    }

    // 3. The restarted controller serves the same data.
    const second = await spawnController(args);
    procs.push(second);
    console.info(`restart on ${[...stored.values()].reduce((n, m) => n + m.size, 0)} stored records: ready ${second.readyMs.toFixed(0)} ms after spawn`);
    const c2 = clientsOf(second.apiAddress);
    try {
      const flavors = await collect(c2.catalog.flavors.showFlavor(Flavor.fromPartial({})));
      const cloudlets = await collect(c2.cloudlets.cloudlets.showCloudlet(Cloudlet.fromPartial({})));
      const cis = await collect(c2.clusterInsts.showClusterInst(ClusterInst.fromPartial({})));
      expect(flavors.length).toBe(stored.get(kinds.flavor.name)?.size);
      expect(cloudlets.length).toBe(stored.get(kinds.cloudlet.name)?.size);
      expect(cis.length).toBe(storedCis.length);
      const controllers = await collect(c2.cloudlets.controllers.showController(Controller.fromPartial({})));
      expect(controllers.map((x) => x.key?.addr)).toEqual([second.apiAddress]);

      // 4. A CRM resyncs: it gets its Cloudlet, its ClusterInsts and every Flavor; its CloudletInfo is stored.
      const crm = startTestClient([second.notifyAddress], { reconnect: { initialMs: 20, maxMs: 200 } });
      crm.cloudletInfos.update(cloudletInfo('seed-0'));
      try {
        const seed0 = keyString.cloudlet(seedKey('seed-0'));
        const onSeed0 = storedCis.filter((ci) => keyString.cloudlet(ci.key?.cloudlet_key) === seed0).length;
        await waitFor(() => crm.events.some((e) => e.type === 'synced') && crm.cloudlets.size === 1 && crm.clusterInsts.size === onSeed0
          && crm.flavors.size === flavors.length, { timeoutMs: 10_000, message: 'CRM resync' });
        // The controller stores a received CloudletInfo asynchronously: it may land just after the resync.
        const infos = await waitFor(async () => {
          const found = await collect(c2.cloudlets.cloudletInfos.showCloudletInfo(CloudletInfo.fromPartial({ key: seedKey('seed-0') })));
          return found.length > 0 ? found : undefined;
        }, { timeoutMs: 5_000, message: 'CloudletInfo seed-0 stored' });
        expect(infos[0]?.key?.name).toBe('seed-0');
      } finally {
        await crm.stop();
      }
    } finally {
      c2.close();
    }
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });
});
