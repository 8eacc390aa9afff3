/**
 * Section `controller`: the embedded controller's gRPC API over 127.0.0.1, controllers and clients in this process
 * (the memory figure measures child processes). Order: memory, CreateFlavor, CreateAppInst, ShowAppInst (~85 s).
 *
 * - `create_flavor_per_s` / `create_flavor_memory_per_s`: CreateFlavor calls/s from 16 concurrent callers (one
 *   FlavorApiClient) against a controller with the lmdb store in a temp dir / with the memory store. Baseline (both):
 *   a bare grpc-js server whose CreateFlavor handler gets the Flavor decoded and answers an empty Result, called
 *   by the same client code. The three are measured in the same interleaved rounds.
 * - `create_appinst_per_s`: CreateAppInst calls/s (each streamed until "Created successfully"), 16 concurrent
 *   callers, lmdb controller with a bench CRM (NotifyClient) that answers every AppInst at once with an
 *   AppInstInfo READY; every round starts without AppInsts (they are deleted between rounds). Baseline: CreateFlavor
 *   on the same controller (same CRM connected), 16 callers, interleaved: the ratio is the price of an AppInst
 *   create (checks, refs, an operation record, two store commits, the notify round trip) over the cheapest write.
 * - `show_objects_per_s`: ShowAppInst of 100k stored AppInsts to one AppInstApiClient reading to the end. Baseline:
 *   a bare grpc-js ShowAppInst writing the same 100k encoded AppInsts (with backpressure) to the same client code.
 * - `rss_mb_100k`: RSS (after full GCs) of a child process whose lmdb controller stored 100k AppInsts. Baseline:
 *   RSS of a child process with an empty lmdb controller (run at the same time). The store that child filled is
 *   what the show figure's controller opens.
 *
 * Every controller works in a temp directory removed at the end; a full GC runs before every timed run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import * as grpc from '@grpc/grpc-js';

import { App, AppApiClient, ImageType } from '../../src/gen/edgeproto/app.js';
import { AppInst, AppInstApiClient } from '../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletApiClient, CloudletState, type CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst, ClusterInstApiClient } from '../../src/gen/edgeproto/clusterinst.js';
import { CRMOverride, IpAccess, TrackedState } from '../../src/gen/edgeproto/common.js';
import { Developer, DeveloperApiClient } from '../../src/gen/edgeproto/developer.js';
import { Flavor, FlavorApiClient } from '../../src/gen/edgeproto/flavor.js';
import { Operator, OperatorApiClient } from '../../src/gen/edgeproto/operator.js';
import type { Result } from '../../src/gen/edgeproto/result.js';
import { keyString } from '../../src/wire/object-key.js';
import { startBareCreateFlavor, startBareShowAppInst, type BareServer } from '../lib/bare-api-server.js';
import { startBenchCrm, type BenchCrm } from '../lib/bench-crm.js';
import { closedLoop } from '../lib/concurrency.js';
import {
  countAll,
  insecure,
  readAll,
  SEED_BATCH,
  startController,
  unaryCall,
  until,
  type BenchController,
} from '../lib/controller-fixtures.js';
import { createFlavor } from '../lib/flavor-calls.js';
import { forceGc } from '../lib/gc.js';
import { formatSpread, interleaveRuns, type RoundStats } from '../lib/measure.js';
import { mb, type MemorySnapshot } from '../lib/memory.js';
import { appInst, withDeadline } from '../lib/notify-fixtures.js';
import { probeRss } from '../lib/rss-probe.js';
import type { BenchContext, Figure, Section } from '../lib/types.js';

/** Concurrent callers of the create figures (one client channel, calls multiplexed on it). */
const CONCURRENCY = 16;

/** CreateFlavor: 3 candidates x 5 rounds x 1 s = 15 s, after 0.4 s of warm-up each. */
const FLAVOR = { rounds: 5, durationMs: 1000, warmupMs: 400 } as const;

/**
 * CreateAppInst: 2 candidates x 5 rounds x 1.5 s = 15 s (plus the untimed deletes). An AppInst key is an (App,
 * ClusterInst) pair; one ClusterInst and 1024 Apps allow 1024 AppInsts per round, several times what a round creates.
 */
const APPINST = { rounds: 5, durationMs: 1500, warmupMs: 400, apps: 1024, clusterInsts: 1 } as const;

/** ShowAppInst: 100k AppInsts, 3 rounds of each candidate (~3-6 s each on a busy 2-core machine). */
const SHOW = { objects: 100_000, rounds: 3, deadlineMs: 120_000 } as const;

/** Memory: 100k AppInsts in a child process. */
const RSS = { objects: 100_000, timeoutMs: 120_000 } as const;

const OPERATOR = 'TDG';
const DEVELOPER = 'AcmeRobotics';
const CLOUDLET: CloudletKey = { operator_key: { name: OPERATOR }, name: 'berlin-main' };

function spreadNote(s: RoundStats): string {
  return `spread ${formatSpread(s.spread)}`;
}

/** Per-candidate call counters, so each candidate keeps creating new names across rounds. */
function counters<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
}

// ---- create_flavor_per_s, create_flavor_memory_per_s -----------------------------------------------------

async function createFlavorFigures(ctx: BenchContext): Promise<Figure[]> {
  const lmdb = await startController({ store: 'lmdb' });
  const memory = await startController({ store: 'memory' });
  const bare = await startBareCreateFlavor();
  const clients = {
    lmdb: new FlavorApiClient(lmdb.apiAddress, insecure),
    memory: new FlavorApiClient(memory.apiAddress, insecure),
    grpc: new FlavorApiClient(bare.address, insecure),
  };
  try {
    const calls = {
      lmdb: createFlavor(clients.lmdb, 'bench-flavor'),
      memory: createFlavor(clients.memory, 'bench-flavor'),
      grpc: createFlavor(clients.grpc, 'bench-flavor'),
    };
    const next = counters(['lmdb', 'memory', 'grpc'] as const);

    // Correct before timed: the flavor is stored (and a second create of it is refused), the bare server saw it.
    for (const ctl of [lmdb, memory]) {
      const call = ctl === lmdb ? calls.lmdb : calls.memory;
      await call(-1);
      const stored = ctl.controller.objects.cache(ctl.controller.kinds.flavor).get(keyString.flavor({ name: 'bench-flavor--1' }));
      if (stored?.ram !== 4096n) throw new Error(`CreateFlavor (${ctl.store}): flavor not stored`);
      const again = await call(-1).then(() => 'OK', (err: grpc.ServiceError) => grpc.status[err.code]);
      if (again !== 'ALREADY_EXISTS') throw new Error(`CreateFlavor (${ctl.store}) of an existing flavor gave ${again}, expected ALREADY_EXISTS`);
    }
    await calls.grpc(-1);
    if (bare.handled.count !== 1) throw new Error('bare CreateFlavor server did not handle the call');

    const run = async (name: keyof typeof calls, ms: number): Promise<number> => {
      const r = await closedLoop(CONCURRENCY, ms, calls[name], next[name]);
      next[name] += r.calls;
      return r.perSecond;
    };
    for (const name of ['lmdb', 'memory', 'grpc'] as const) await run(name, FLAVOR.warmupMs);

    const r = await interleaveRuns({
      rounds: FLAVOR.rounds,
      candidates: {
        lmdb: () => run('lmdb', FLAVOR.durationMs),
        memory: () => run('memory', FLAVOR.durationMs),
        grpc: () => run('grpc', FLAVOR.durationMs),
      },
      beforeEach: () => void forceGc(),
      onSample: (name, round, perSec) => ctx.log(`create_flavor round ${round + 1}/${FLAVOR.rounds} ${name}: ${Math.round(perSec)} calls/s`),
    });

    // Every call that reported success stored its flavor.
    for (const ctl of [lmdb, memory]) {
      const want = (ctl === lmdb ? next.lmdb : next.memory) + 1;
      const size = ctl.controller.objects.cache(ctl.controller.kinds.flavor).size;
      if (size !== want) throw new Error(`CreateFlavor (${ctl.store}): ${size} flavors stored, expected ${want}`);
    }

    const msPerCall = (perSec: number): string => (1000 / perSec).toFixed(2);
    const commitMs = 1000 / r.lmdb.median - 1000 / r.memory.median;
    const common =
      `${CONCURRENCY} concurrent callers on one FlavorApiClient, closed loop, ${FLAVOR.durationMs} ms per round; ` +
      `baseline: bare grpc-js CreateFlavor (decode, empty Result), same client code`;
    return [
      {
        name: 'create_flavor_per_s',
        value: r.lmdb.median,
        unit: 'calls/s',
        baseline: r.grpc.median,
        note:
          `controller with the lmdb store in a temp dir (${next.lmdb + 1} flavors at the end); ${common}; ` +
          `writes run one at a time under ObjectStore's lock, each its own fsynced lmdb commit: ${msPerCall(r.lmdb.median)} ms per create ` +
          `vs ${msPerCall(r.memory.median)} ms with the memory store, so ~${commitMs.toFixed(2)} ms is the lmdb commit; ` +
          `median of ${FLAVOR.rounds} rounds, ${spreadNote(r.lmdb)} (baseline ${spreadNote(r.grpc)})`,
      },
      {
        name: 'create_flavor_memory_per_s',
        value: r.memory.median,
        unit: 'calls/s',
        baseline: r.grpc.median,
        note:
          `controller with the memory store (${next.memory + 1} flavors at the end), measured in the same rounds as create_flavor_per_s; ` +
          `${common}; median of ${FLAVOR.rounds} rounds, ${spreadNote(r.memory)} (baseline ${spreadNote(r.grpc)})`,
      },
    ];
  } finally {
    for (const c of Object.values(clients)) c.close();
    await bare.close();
    await memory.close();
    await lmdb.close();
  }
}

// ---- create_appinst_per_s -------------------------------------------------------------------------------

function appName(i: number): string {
  return `bench-app-${i}`;
}

function clusterName(i: number): string {
  return `bench-cluster-${i}`;
}

function appRequest(i: number): App {
  return App.fromPartial({
    key: { developer_key: { name: DEVELOPER }, name: appName(i), version: '1.0' },
    image_type: ImageType.IMAGE_TYPE_DOCKER,
    image_path: `registry.example.com/${DEVELOPER.toLowerCase()}/${appName(i)}:1.0`,
    access_ports: 'tcp:8443,udp:5000,http:8080',
    default_flavor: { name: 'x1.small' },
    deployment: 'kubernetes',
  });
}

function clusterInstRequest(i: number): ClusterInst {
  return ClusterInst.fromPartial({
    key: { cluster_key: { name: clusterName(i) }, cloudlet_key: CLOUDLET, developer: DEVELOPER },
    flavor: { name: 'x1.medium' },
    ip_access: IpAccess.IP_ACCESS_DEDICATED,
    num_masters: 1,
    num_nodes: 1,
  });
}

/** AppInst `n`: App `n % apps` on ClusterInst `floor(n / apps)`; the controller fills the rest. */
function appInstRequest(n: number): AppInst {
  const cluster = Math.floor(n / APPINST.apps);
  if (cluster >= APPINST.clusterInsts) throw new Error(`AppInst ${n}: out of (app, cluster) pairs; raise APPINST.apps or clusterInsts`);
  return AppInst.fromPartial({
    key: {
      app_key: { developer_key: { name: DEVELOPER }, name: appName(n % APPINST.apps), version: '1.0' },
      cluster_inst_key: { cluster_key: { name: clusterName(cluster) }, cloudlet_key: CLOUDLET, developer: DEVELOPER },
    },
  });
}

/** Runs `call(0..count-1)` with {@link CONCURRENCY} callers. */
async function forAll(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, caller));
}

/** The last Result of a create stream must say it succeeded. */
function expectCreated(what: string, results: Result[]): void {
  const last = results[results.length - 1]?.message ?? '';
  if (!/^Created/.test(last)) throw new Error(`${what}: stream ended with ${JSON.stringify(last)}`);
}

/**
 * Seeds through the API: Operator, Developer, Flavors, Cloudlet; starts the CRM (CloudletInfo READY); the
 * ClusterInsts (each streamed to READY via the CRM) and the Apps.
 */
async function seedThroughApi(ctl: BenchController, ctx: BenchContext): Promise<BenchCrm> {
  const started = performance.now();
  const operators = new OperatorApiClient(ctl.apiAddress, insecure);
  const developers = new DeveloperApiClient(ctl.apiAddress, insecure);
  const flavors = new FlavorApiClient(ctl.apiAddress, insecure);
  const cloudlets = new CloudletApiClient(ctl.apiAddress, insecure);
  const clusterInsts = new ClusterInstApiClient(ctl.apiAddress, insecure);
  const apps = new AppApiClient(ctl.apiAddress, insecure);
  try {
    await unaryCall<Operator, Result>((r, cb) => operators.createOperator(r, cb), Operator.fromPartial({ key: { name: OPERATOR } }));
    await unaryCall<Developer, Result>((r, cb) => developers.createDeveloper(r, cb), Developer.fromPartial({ key: { name: DEVELOPER } }));
    for (const [name, ram, vcpus, disk] of [['x1.small', 1024n, 1n, 10n], ['x1.medium', 4096n, 2n, 40n]] as const) {
      await unaryCall<Flavor, Result>((r, cb) => flavors.createFlavor(r, cb), Flavor.fromPartial({ key: { name }, ram, vcpus, disk }));
    }
    await readAll(cloudlets.createCloudlet(Cloudlet.fromPartial({
      key: CLOUDLET, location: { latitude: 52.52, longitude: 13.405 }, num_dynamic_ips: APPINST.clusterInsts,
    })));
    const crm = startBenchCrm(ctl.notifyAddress, CLOUDLET);
    const { objects, kinds } = ctl.controller;
    await until(
      () => objects.cache(kinds.cloudletInfo).get(keyString.cloudlet(CLOUDLET))?.state === CloudletState.CLOUDLET_STATE_READY,
      10_000, 'CloudletInfo READY from the bench CRM',
    );
    await withDeadline(crm.synced, 10_000, 'bench CRM sync');
    await forAll(APPINST.clusterInsts, async (i) => expectCreated(`ClusterInst ${i}`, await readAll(clusterInsts.createClusterInst(clusterInstRequest(i)))));
    for (let i = 0; i < APPINST.clusterInsts; i++) {
      const ci = objects.cache(kinds.clusterInst).get(keyString.clusterInst(clusterInstRequest(i).key));
      if (ci?.state !== TrackedState.READY) throw new Error(`ClusterInst ${i} is not READY`);
    }
    await forAll(APPINST.apps, (i) => unaryCall<App, Result>((r, cb) => apps.createApp(r, cb), appRequest(i)));
    ctx.log(
      `seeded through the API in ${((performance.now() - started) / 1000).toFixed(1)} s: operator, developer, 2 flavors, cloudlet, ` +
        `${APPINST.clusterInsts} ClusterInsts (READY via the CRM), ${APPINST.apps} Apps`,
    );
    return crm;
  } finally {
    for (const c of [operators, developers, flavors, cloudlets, clusterInsts, apps]) c.close();
  }
}

/** DeleteAppInst with IGNORE_CRM (removed at once, no CRM involved) of AppInsts `0..count-1`; not timed. */
async function deleteAppInsts(client: AppInstApiClient, count: number): Promise<void> {
  await forAll(count, async (n) => {
    const results = await readAll(client.deleteAppInst({ ...appInstRequest(n), crm_override: CRMOverride.IGNORE_CRM }));
    const last = results[results.length - 1]?.message ?? '';
    if (!/^Deleted/.test(last)) throw new Error(`DeleteAppInst ${n}: stream ended with ${JSON.stringify(last)}`);
  });
}

async function createAppInstFigure(ctx: BenchContext): Promise<Figure> {
  const ctl = await startController({ store: 'lmdb' });
  let crm: BenchCrm | undefined;
  const appInsts = new AppInstApiClient(ctl.apiAddress, insecure);
  const flavors = new FlavorApiClient(ctl.apiAddress, insecure);
  try {
    crm = await seedThroughApi(ctl, ctx);
    const { objects, kinds } = ctl.controller;
    const appInstCache = objects.cache(kinds.appInst);
    const createAppInst = async (n: number): Promise<void> =>
      expectCreated(`AppInst ${n}`, await readAll(appInsts.createAppInst(appInstRequest(n))));
    const createFlavorCall = createFlavor(flavors, 'bench-flavor');
    let flavorsCreated = 0;
    let appInstsCreated = 0;
    let perRound = 0;

    // Correct before timed: the AppInst is READY with controller-filled fields, answered by the CRM; then deleted.
    await createAppInst(0);
    appInstsCreated++;
    const first = appInstCache.get(keyString.appInst(appInstRequest(0).key));
    if (first?.state !== TrackedState.READY || first.uri === '' || first.mapped_ports.length !== 3 || first.runtime_info === undefined) {
      throw new Error(`CreateAppInst: stored AppInst not READY / not filled in: ${JSON.stringify(first && AppInst.toJSON(first))}`);
    }
    const appInstBytes = appInstCache.getEntry(keyString.appInst(appInstRequest(0).key))?.bytes.length ?? 0;
    await deleteAppInsts(appInsts, 1);
    if (appInstCache.size !== 0) throw new Error(`DeleteAppInst left ${appInstCache.size} AppInsts`);

    // Every AppInst run starts from the same state (no AppInsts): it creates AppInsts 0, 1, ... and they are deleted
    // afterwards, outside the timing. Flavors just accumulate (a Flavor create does not look at other objects).
    const appInstRun = async (ms: number): Promise<number> => {
      const r = await closedLoop(CONCURRENCY, ms, createAppInst);
      appInstsCreated += r.calls;
      perRound = Math.max(perRound, r.calls);
      if (appInstCache.size !== r.calls) throw new Error(`CreateAppInst: ${appInstCache.size} AppInsts stored, expected ${r.calls}`);
      const notReady = appInstCache.values().filter((ai) => ai.state !== TrackedState.READY).length;
      if (notReady > 0) throw new Error(`CreateAppInst: ${notReady} AppInsts not READY`);
      await deleteAppInsts(appInsts, r.calls);
      return r.perSecond;
    };
    const flavorRun = async (ms: number): Promise<number> => {
      const r = await closedLoop(CONCURRENCY, ms, createFlavorCall, flavorsCreated);
      flavorsCreated += r.calls;
      return r.perSecond;
    };
    await appInstRun(APPINST.warmupMs);
    await flavorRun(APPINST.warmupMs);
    const r = await interleaveRuns({
      rounds: APPINST.rounds,
      candidates: { appinst: () => appInstRun(APPINST.durationMs), flavor: () => flavorRun(APPINST.durationMs) },
      beforeEach: () => void forceGc(),
      onSample: (name, round, perSec) => ctx.log(`create_appinst round ${round + 1}/${APPINST.rounds} ${name}: ${Math.round(perSec)} calls/s`),
    });
    if (crm.answered.appInsts !== appInstsCreated) throw new Error(`the CRM answered ${crm.answered.appInsts} AppInsts, expected ${appInstsCreated}`);

    return {
      name: 'create_appinst_per_s',
      value: r.appinst.median,
      unit: 'calls/s',
      baseline: r.flavor.median,
      note:
        `lmdb controller + bench CRM (filtered NotifyClient, same process as controller and callers) answering AppInstInfo READY at once; each call streamed until "Created successfully"; ` +
        `${CONCURRENCY} concurrent callers, closed loop, ${APPINST.durationMs} ms per round; cloudlet with ${APPINST.clusterInsts} ClusterInst (READY) ` +
        `and ${APPINST.apps} Apps, seeded via the API; each round starts with no AppInst and creates up to ${perRound} ` +
        `(deleted with IGNORE_CRM after the round, not timed); stored AppInst ${appInstBytes} B; ` +
        `baseline: CreateFlavor on the same controller (CRM connected), same callers, interleaved (ratio = AppInst create vs the cheapest write): ` +
        `${(1000 / r.appinst.median).toFixed(2)} ms per AppInst create vs ${(1000 / r.flavor.median).toFixed(2)} ms per flavor create; ` +
        `an AppInst create costs more with more AppInsts and ClusterInsts on the cloudlet (refs are recomputed from all of them in each of its 2 commits); ` +
        `median of ${APPINST.rounds} rounds, ${spreadNote(r.appinst)} (baseline ${spreadNote(r.flavor)})`,
    };
  } finally {
    appInsts.close();
    flavors.close();
    await crm?.stop();
    await ctl.close();
  }
}

// ---- show_objects_per_s ---------------------------------------------------------------------------------

/**
 * `dataDir`: an lmdb store holding the 100k AppInsts the memory figure's child stored; the controller here opens it
 * (loading them into its caches) rather than storing them again.
 */
async function showFigure(ctx: BenchContext, dataDir: string): Promise<Figure> {
  const opened = performance.now();
  const ctl = await startController({ store: 'lmdb', dataDir });
  let bare: BareServer | undefined;
  const clients: AppInstApiClient[] = [];
  try {
    const loadMs = performance.now() - opened;
    const cache = ctl.controller.objects.cache(ctl.controller.kinds.appInst);
    if (cache.size !== SHOW.objects) throw new Error(`the store holds ${cache.size} AppInsts, expected ${SHOW.objects}`);
    const encoded = [...cache.keys()].map((k) => cache.getEntry(k)!.bytes);
    const meanBytes = Math.round(encoded.reduce((s, b) => s + b.length, 0) / encoded.length);
    ctx.log(`controller opened the store with ${SHOW.objects} AppInsts (mean ${meanBytes} B) in ${(loadMs / 1000).toFixed(1)} s`);
    bare = await startBareShowAppInst(encoded);
    const product = new AppInstApiClient(ctl.apiAddress, insecure);
    const baseline = new AppInstApiClient(bare.address, insecure);
    clients.push(product, baseline);

    // Correct before timed: a ShowAppInst filtered on one cloudlet sends exactly its AppInsts, each encoding to
    // the stored bytes. (The timed rounds check that all 100k arrive.)
    const site = appInst(0).key!.cluster_inst_key!.cloudlet_key!;
    const want = new Map<string, Uint8Array>();
    for (const k of cache.keys()) {
      const e = cache.getEntry(k)!;
      if (keyString.cloudlet(e.value.key?.cluster_inst_key?.cloudlet_key) === keyString.cloudlet(site)) want.set(k, e.bytes);
    }
    const filter = AppInst.fromPartial({ key: { cluster_inst_key: { cloudlet_key: site } } });
    const received = await withDeadline(readAll(product.showAppInst(filter)), SHOW.deadlineMs, 'ShowAppInst check');
    if (received.length !== want.size || want.size === 0) throw new Error(`filtered ShowAppInst sent ${received.length} AppInsts, expected ${want.size}`);
    for (const ai of received) {
      const stored = want.get(keyString.appInst(ai.key));
      if (!stored || !Buffer.from(AppInst.encode(ai).finish()).equals(stored)) throw new Error(`ShowAppInst sent an AppInst that differs from the stored one`);
    }

    const all = AppInst.fromPartial({});
    const timed = (client: AppInstApiClient, what: string) => async (): Promise<number> => {
      const started = performance.now();
      const { count } = await withDeadline(countAll(client.showAppInst(all)), SHOW.deadlineMs, what);
      const ms = performance.now() - started;
      if (count !== SHOW.objects) throw new Error(`${what} sent ${count} AppInsts, expected ${SHOW.objects}`);
      return (count * 1000) / ms;
    };
    const r = await interleaveRuns({
      rounds: SHOW.rounds,
      candidates: { show: timed(product, 'ShowAppInst'), grpc: timed(baseline, 'bare ShowAppInst') },
      beforeEach: () => void forceGc(),
      onSample: (name, round, perSec) =>
        ctx.log(`show round ${round + 1}/${SHOW.rounds} ${name}: ${Math.round(perSec)} objects/s (${((SHOW.objects / perSec) * 1000).toFixed(0)} ms)`),
    });
    return {
      name: 'show_objects_per_s',
      value: r.show.median,
      unit: 'objects/s',
      baseline: r.grpc.median,
      note:
        `ShowAppInst (empty filter) of ${SHOW.objects} AppInsts (mean ${meanBytes} B) from an lmdb controller to one AppInstApiClient reading to the end ` +
        `(messages decoded), request to last message; baseline: bare grpc-js ShowAppInst writing the same ${SHOW.objects} encoded AppInsts with ` +
        `backpressure, same client code; the controller opened the store the rss figure's child had filled (load ${(loadMs / 1000).toFixed(1)} s, not timed); ` +
        `median of ${SHOW.rounds} rounds, ${spreadNote(r.show)} (baseline ${spreadNote(r.grpc)})`,
    };
  } finally {
    for (const c of clients) c.close();
    await bare?.close();
    await ctl.close();
  }
}

// ---- rss_mb_100k ----------------------------------------------------------------------------------------

function memoryNote(s: MemorySnapshot): string {
  const split = s.rssAnon !== undefined && s.rssFile !== undefined ? ` (anon ${mb(s.rssAnon)}, file ${mb(s.rssFile)})` : '';
  return `RSS ${mb(s.rss)}${split}, heap used ${mb(s.heapUsed)}, array buffers ${mb(s.arrayBuffers)}`;
}

/**
 * Fills `dataDir` (empty) with 100k AppInsts in a child process and measures it against an empty one; the store is
 * then reopened by a third child (and later by the show figure).
 */
async function rssFigure(ctx: BenchContext, dataDir: string): Promise<Figure> {
  const [empty, filled] = await Promise.all([
    probeRss(['empty'], RSS.timeoutMs),
    probeRss(['seeded', String(RSS.objects), dataDir], RSS.timeoutMs),
  ]);
  const after = filled.seeded;
  if (after === undefined || filled.appInsts !== RSS.objects) throw new Error(`rss child stored ${filled.appInsts} AppInsts, expected ${RSS.objects}`);
  const reopened = await probeRss(['reopen', String(RSS.objects), dataDir], RSS.timeoutMs);
  if (!empty.gc || !filled.gc || !reopened.gc) ctx.log('WARNING: a child could not force a GC; RSS includes uncollected garbage');
  const seedS = (filled.seedMs ?? 0) / 1000;
  ctx.log(`empty controller: ${memoryNote(empty.started)}`);
  ctx.log(`seeded child before seeding: ${memoryNote(filled.started)}`);
  ctx.log(`seeded child after ${RSS.objects} AppInsts (${filled.seedTxns ?? 0} transactions in ${seedS.toFixed(1)} s): ${memoryNote(after)}`);
  ctx.log(`reopened store (start + load ${(reopened.startMs / 1000).toFixed(1)} s): ${memoryNote(reopened.started)}`);
  const perObject = (bytes: number): string => `${Math.round(bytes / RSS.objects)} B`;
  return {
    name: 'rss_mb_100k',
    value: mb(after.rss),
    unit: 'MB',
    baseline: mb(empty.started.rss),
    note:
      `child process (node --expose-gc), lmdb controller that stored ${RSS.objects} AppInsts (~317 B each) through objects.write in ` +
      `${filled.seedTxns ?? 0} transactions of ${SEED_BATCH} (${seedS.toFixed(1)} s, ${((filled.seedMs ?? 0) / (filled.seedTxns ?? 1)).toFixed(1)} ms each), after full GCs: ` +
      `${memoryNote(after)}; baseline: a second child with an empty lmdb controller, run at the same time: ${memoryNote(empty.started)}; ` +
      `per AppInst: RSS +${perObject(after.rss - empty.started.rss)}, heap +${perObject(after.heapUsed - empty.started.heapUsed)}; ` +
      `a third child reopening that store (caches loaded from lmdb, empty watch history): ${memoryNote(reopened.started)}; ` +
      `file = mapped files (node binary, lmdb map); MB = 2^20 bytes; one sample per child`,
  };
}

export const controllerSection: Section = {
  name: 'controller',
  description:
    'controller API over 127.0.0.1: CreateFlavor (lmdb, memory) vs bare grpc-js; CreateAppInst with a CRM vs CreateFlavor; ' +
    'ShowAppInst of 100k vs bare grpc-js stream; RSS with 100k AppInsts vs empty',
  async run(ctx) {
    // The 100k-AppInst store the memory figure's child fills is what the show figure's controller opens.
    const store100k = mkdtempSync(join(tmpdir(), 'cloudletd-bench-100k-'));
    try {
      const rss = await rssFigure(ctx, store100k);
      const flavor = await createFlavorFigures(ctx);
      const appInst = await createAppInstFigure(ctx);
      const show = await showFigure(ctx, store100k);
      return [...flavor, appInst, show, rss];
    } finally {
      rmSync(store100k, { recursive: true, force: true });
    }
  },
};
