/**
 * Section `crm`: the Cloudlet Resource Manager (src/crm) on the fake platform without latency, so every figure is the
 * CRM's own cost. Its baseline is the bench CRM (`lib/bench-crm.ts`: a filtered NotifyClient answering every
 * CREATE_REQUESTED with READY straight from its cache watcher), measured in the same run, in alternating rounds.
 *
 * - `ready_p50_ms`, `ready_p99_ms`: one AppInst at a time put CREATE_REQUESTED into the appInst cache of a notify server
 *   playing the controller, until the server holds its AppInstInfo READY (then set READY, as the controller does).
 *   Baseline: the same round trip with the bench CRM on a second server.
 * - `ops_per_s`: CreateAppInst through the embedded controller's gRPC API (streamed until "Created successfully"),
 *   16 concurrent callers, for a cloudlet managed by the real CRM. Baseline: the same controller and callers for a
 *   second cloudlet managed by the bench CRM (the controller-only create rate of `controller.create_appinst_per_s`).
 * - `adopt_500_ms`: a CRM that created 500 AppInsts is stopped and started again on the same data dirs; from the start
 *   to all 500 AppInstInfos READY on the server; the new fake platform must get no create call. Baseline: a bench CRM
 *   starting against a server with the same 500 AppInsts until they are all READY (the notify floor of the same
 *   end point: connect, send-all, 500 infos back).
 * - `rss_idle_mb`, `rss_10k_mb`: RSS after full GCs of a child process running only a CRM connected over 127.0.0.1 to a
 *   notify server in this process: idle (nothing desired), then with 10k AppInsts READY. Baseline: a child loading the
 *   same modules and starting nothing.
 *
 * Everything listens on 127.0.0.1 (ephemeral ports) and works in temp dirs removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

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
import { startBenchCrm, type BenchCrm } from '../lib/bench-crm.js';
import { closedLoop } from '../lib/concurrency.js';
import { insecure, readAll, startController, unaryCall, until, type BenchController } from '../lib/controller-fixtures.js';
import {
  appInstKey,
  percentile,
  putCloudlet,
  putDependencies,
  readyAppInst,
  requestedAppInst,
  siteKey,
  startInfoServer,
  untilAllReady,
  untilCloudletReady,
  type CrmSite,
  type InfoServer,
} from '../lib/crm-fixtures.js';
import type { CrmChildReport } from '../lib/crm-rss-child.js';
import { prepareChildRunner, spawnCrmChild, type CrmChild } from '../lib/crm-rss-probe.js';
import { startRealCrm, type RealCrm } from '../lib/crm-start.js';
import { forceGc } from '../lib/gc.js';
import { formatSpread, interleaveRuns, median, type RoundStats } from '../lib/measure.js';
import { mb, type MemorySnapshot } from '../lib/memory.js';
import { withDeadline } from '../lib/notify-fixtures.js';
import type { BenchContext, Figure, Section } from '../lib/types.js';

/** Ready latency: 100 warm-up samples per candidate, then 5 rounds of 100 (500 samples each). */
const READY = { warmup: 100, samples: 500, rounds: 5, timeoutMs: 10_000 } as const;
const READY_GOAL_P99_MS = 50;

/** Create rate: 2 candidates x 5 rounds x 1.5 s, 16 callers; 1024 Apps on one ClusterInst per cloudlet. */
const OPS = { rounds: 5, durationMs: 1500, warmupMs: 400, concurrency: 16, apps: 1024 } as const;

/** Adoption: 500 AppInsts (one ClusterInst), 3 rounds of each candidate. */
const ADOPT = { appInsts: 500, rounds: 3, timeoutMs: 60_000 } as const;

/** Memory: 10k AppInsts on 10 ClusterInsts x 1000 Apps. */
const RSS = { appInsts: 10_000, timeoutMs: 300_000 } as const;
const RSS_GOAL_IDLE_MB = 80;
const RSS_GOAL_10K_MB = 200;

const OPERATOR = 'TDG';

function spreadNote(s: RoundStats): string {
  return `spread ${formatSpread(s.spread)}`;
}

function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(2);
}

function keysOf(site: CrmSite, count: number): Set<string> {
  const keys = new Set<string>();
  for (let n = 0; n < count; n++) keys.add(appInstKey(site, n));
  return keys;
}

// ---- ready_p50_ms, ready_p99_ms -------------------------------------------------------------------------

/** One candidate of the ready figures: its server (whose CRM is connected), the next AppInst number, the samples taken. */
interface ReadyStack {
  readonly server: InfoServer;
  readonly site: CrmSite;
  next: number;
  readonly samples: number[];
}

/**
 * Puts AppInst `n` CREATE_REQUESTED into the server's cache and resolves with the ms until the server received its
 * AppInstInfo READY (taken in the server's cache watcher); then sets it READY on the server, as the controller does.
 */
function readySample(stack: ReadyStack, n: number): Promise<number> {
  const { server, site } = stack;
  const key = appInstKey(site, n);
  const requested = requestedAppInst(site, n);
  const ready = readyAppInst(site, n);
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`AppInst ${n}: no AppInstInfo READY within ${READY.timeoutMs} ms (now ${String(server.appInstInfos.get(key)?.state)})`));
    }, READY.timeoutMs);
    const off = server.appInstInfos.watch((change) => {
      if (change.key !== key || change.kind !== 'update' || change.value.state !== TrackedState.READY) return;
      const elapsed = performance.now() - t0;
      clearTimeout(timer);
      off();
      server.caches.appInsts.update(ready);
      resolve(elapsed);
    });
    t0 = performance.now();
    server.caches.appInsts.update(requested);
  });
}

async function readyRun(stack: ReadyStack, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await readySample(stack, stack.next++));
  return out;
}

async function readyFigures(ctx: BenchContext): Promise<Figure[]> {
  const total = READY.warmup + READY.samples;
  const site: CrmSite = { cloudlet: 'berlin-ready', operator: OPERATOR, apps: 1000 };
  const servers: InfoServer[] = [];
  let real: RealCrm | undefined;
  let bench: BenchCrm | undefined;
  try {
    const realServer = await startInfoServer();
    servers.push(realServer);
    const benchServer = await startInfoServer();
    servers.push(benchServer);
    for (const s of servers) putCloudlet(s, site);
    real = await startRealCrm({ notifyAddress: realServer.address, cloudletKey: siteKey(site) });
    bench = startBenchCrm(benchServer.address, siteKey(site));
    for (const s of servers) await untilCloudletReady(s, siteKey(site), 10_000);
    // The ClusterInst only after the send-all: see putDependencies.
    const realCrm = real;
    await until(() => realCrm.crm.status().synced, 10_000, 'CRM synced');
    await withDeadline(bench.synced, 10_000, 'bench CRM synced');
    for (const s of servers) await putDependencies(s, site, total, 10_000);
    const stacks = {
      crm: { server: realServer, site, next: 0, samples: [] as number[] },
      bench: { server: benchServer, site, next: 0, samples: [] as number[] },
    };
    await readyRun(stacks.crm, READY.warmup);
    await readyRun(stacks.bench, READY.warmup);
    ctx.log(`ready: ${READY.warmup} warm-up AppInsts per CRM done`);

    const perRound = READY.samples / READY.rounds;
    const r = await interleaveRuns({
      rounds: READY.rounds,
      candidates: {
        crm: async () => {
          const s = await readyRun(stacks.crm, perRound);
          stacks.crm.samples.push(...s);
          return percentile(s, 99);
        },
        bench: async () => {
          const s = await readyRun(stacks.bench, perRound);
          stacks.bench.samples.push(...s);
          return percentile(s, 99);
        },
      },
      beforeEach: () => void forceGc(),
      onSample: (name, round, p99) => ctx.log(`ready round ${round + 1}/${READY.rounds} ${name}: p99 ${ms(p99)} ms`),
    });

    // Correct: every AppInst reached the platform once and is READY on the server.
    const created = real.platform.callCount('createAppInst');
    if (created !== total) throw new Error(`the fake platform got ${created} createAppInst calls, expected ${total}`);
    if (bench.answered.appInsts !== total) throw new Error(`the bench CRM answered ${bench.answered.appInsts} AppInsts, expected ${total}`);

    const c = stacks.crm.samples;
    const b = stacks.bench.samples;
    const dist = (s: number[]): string =>
      `p50 ${ms(percentile(s, 50))}, p90 ${ms(percentile(s, 90))}, p99 ${ms(percentile(s, 99))}, max ${ms(Math.max(...s))} ms`;
    ctx.log(`ready crm: ${dist(c)}; bench CRM: ${dist(b)}`);
    const common =
      `server cache update (CREATE_REQUESTED) -> AppInstInfo READY received by the server, one AppInst at a time, ${READY.samples} samples after ${READY.warmup} warm-up, ` +
      `in ${READY.rounds} alternating rounds; notify server (playing the controller) and CRM in this process over 127.0.0.1; ` +
      `real CRM: lmdb store in a temp dir, fake platform latency 0, product defaults (concurrency 16, job schedules); ` +
      `AppInst ~300 B on one ClusterInst (built by the CRM), up to ${total} AppInsts on the cloudlet; ` +
      `baseline: bench CRM answering READY from its cache watcher on a second server, same objects`;
    return [
      {
        name: 'ready_p50_ms',
        value: percentile(c, 50),
        unit: 'ms',
        baseline: percentile(b, 50),
        note: `${common}; crm ${dist(c)}; baseline ${dist(b)}`,
      },
      {
        name: 'ready_p99_ms',
        value: percentile(c, 99),
        unit: 'ms',
        baseline: percentile(b, 99),
        note:
          `goal p99 < ${READY_GOAL_P99_MS} ms: ${percentile(c, 99) < READY_GOAL_P99_MS ? 'met' : 'MISSED'}; ${common}; ` +
          `crm ${dist(c)}; baseline ${dist(b)}; per-round p99 ${spreadNote(r.crm)} (baseline ${spreadNote(r.bench)})`,
      },
    ];
  } finally {
    await bench?.stop();
    await real?.remove();
    for (const s of servers) await s.close();
  }
}

// ---- ops_per_s ------------------------------------------------------------------------------------------

const DEVELOPER = 'AcmeRobotics';
const OPS_CLOUDLETS = {
  crm: { operator_key: { name: OPERATOR }, name: 'berlin-crm' },
  bench: { operator_key: { name: OPERATOR }, name: 'berlin-bench' },
} as const satisfies Record<string, CloudletKey>;
type OpsCandidate = keyof typeof OPS_CLOUDLETS;

function opsApp(i: number): App {
  const name = `bench-app-${i}`;
  return App.fromPartial({
    key: { developer_key: { name: DEVELOPER }, name, version: '1.0' },
    image_type: ImageType.IMAGE_TYPE_DOCKER,
    image_path: `registry.example.com/${DEVELOPER.toLowerCase()}/${name}:1.0`,
    access_ports: 'tcp:8443,udp:5000,http:8080',
    default_flavor: { name: 'x1.small' },
    deployment: 'kubernetes',
  });
}

function opsClusterInst(cloudlet: CloudletKey): ClusterInst {
  return ClusterInst.fromPartial({
    key: { cluster_key: { name: 'bench-cluster-0' }, cloudlet_key: cloudlet, developer: DEVELOPER },
    flavor: { name: 'x1.medium' },
    ip_access: IpAccess.IP_ACCESS_DEDICATED,
    num_masters: 1,
    num_nodes: 1,
  });
}

function opsAppInst(cloudlet: CloudletKey, n: number): AppInst {
  if (n >= OPS.apps) throw new Error(`AppInst ${n}: out of Apps; raise OPS.apps`);
  return AppInst.fromPartial({
    key: {
      app_key: { developer_key: { name: DEVELOPER }, name: `bench-app-${n}`, version: '1.0' },
      cluster_inst_key: { cluster_key: { name: 'bench-cluster-0' }, cloudlet_key: cloudlet, developer: DEVELOPER },
    },
  });
}

/** Runs `call(0..count-1)` with the figure's concurrency. */
async function forAll(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(OPS.concurrency, count) }, caller));
}

function expectLast(what: string, results: Result[], pattern: RegExp): void {
  const last = results[results.length - 1]?.message ?? '';
  if (!pattern.test(last)) throw new Error(`${what}: stream ended with ${JSON.stringify(last)}`);
}

/** Operator, Developer, Flavors, both Cloudlets, both CRMs (CloudletInfo READY), a ClusterInst each (READY), the Apps. */
async function seedOps(ctl: BenchController, ctx: BenchContext): Promise<{ real: RealCrm; bench: BenchCrm }> {
  const started = performance.now();
  const operators = new OperatorApiClient(ctl.apiAddress, insecure);
  const developers = new DeveloperApiClient(ctl.apiAddress, insecure);
  const flavors = new FlavorApiClient(ctl.apiAddress, insecure);
  const cloudlets = new CloudletApiClient(ctl.apiAddress, insecure);
  const clusterInsts = new ClusterInstApiClient(ctl.apiAddress, insecure);
  const apps = new AppApiClient(ctl.apiAddress, insecure);
  let real: RealCrm | undefined;
  let bench: BenchCrm | undefined;
  try {
    await unaryCall<Operator, Result>((r, cb) => operators.createOperator(r, cb), Operator.fromPartial({ key: { name: OPERATOR } }));
    await unaryCall<Developer, Result>((r, cb) => developers.createDeveloper(r, cb), Developer.fromPartial({ key: { name: DEVELOPER } }));
    for (const [name, ram, vcpus, disk] of [['x1.small', 1024n, 1n, 10n], ['x1.medium', 4096n, 2n, 40n]] as const) {
      await unaryCall<Flavor, Result>((r, cb) => flavors.createFlavor(r, cb), Flavor.fromPartial({ key: { name }, ram, vcpus, disk }));
    }
    for (const key of Object.values(OPS_CLOUDLETS)) {
      await readAll(cloudlets.createCloudlet(Cloudlet.fromPartial({ key, location: { latitude: 52.52, longitude: 13.405 }, num_dynamic_ips: 1 })));
    }
    real = await startRealCrm({ notifyAddress: ctl.notifyAddress, cloudletKey: OPS_CLOUDLETS.crm });
    bench = startBenchCrm(ctl.notifyAddress, OPS_CLOUDLETS.bench);
    const { objects, kinds } = ctl.controller;
    for (const key of Object.values(OPS_CLOUDLETS)) {
      await until(
        () => objects.cache(kinds.cloudletInfo).get(keyString.cloudlet(key))?.state === CloudletState.CLOUDLET_STATE_READY,
        10_000, `CloudletInfo READY of ${key.name}`,
      );
    }
    await withDeadline(bench.synced, 10_000, 'bench CRM sync');
    await until(() => real!.crm.status().synced, 10_000, 'CRM sync');
    for (const key of Object.values(OPS_CLOUDLETS)) {
      expectLast(`ClusterInst on ${key.name}`, await readAll(clusterInsts.createClusterInst(opsClusterInst(key))), /^Created/);
      const ci = objects.cache(kinds.clusterInst).get(keyString.clusterInst(opsClusterInst(key).key));
      if (ci?.state !== TrackedState.READY) throw new Error(`ClusterInst on ${key.name} is not READY`);
    }
    await forAll(OPS.apps, (i) => unaryCall<App, Result>((r, cb) => apps.createApp(r, cb), opsApp(i)));
    ctx.log(
      `ops: seeded through the API in ${((performance.now() - started) / 1000).toFixed(1)} s: operator, developer, 2 flavors, ` +
        `2 cloudlets (real CRM, bench CRM), a ClusterInst on each (READY via its CRM), ${OPS.apps} Apps`,
    );
    return { real, bench };
  } catch (err) {
    await bench?.stop();
    await real?.remove();
    throw err;
  } finally {
    for (const c of [operators, developers, flavors, cloudlets, clusterInsts, apps]) c.close();
  }
}

async function opsFigure(ctx: BenchContext): Promise<Figure> {
  const ctl = await startController({ store: 'lmdb' });
  let crms: { real: RealCrm; bench: BenchCrm } | undefined;
  const client = new AppInstApiClient(ctl.apiAddress, insecure);
  try {
    crms = await seedOps(ctl, ctx);
    const { real, bench } = crms;
    const { objects, kinds } = ctl.controller;
    const appInstCache = objects.cache(kinds.appInst);
    const onCloudlet = (c: OpsCandidate): AppInst[] =>
      appInstCache.values().filter((ai) => keyString.cloudlet(ai.key?.cluster_inst_key?.cloudlet_key) === keyString.cloudlet(OPS_CLOUDLETS[c]));
    const create = (c: OpsCandidate) => async (n: number): Promise<void> =>
      expectLast(`AppInst ${n} on ${OPS_CLOUDLETS[c].name}`, await readAll(client.createAppInst(opsAppInst(OPS_CLOUDLETS[c], n))), /^Created/);
    // Deleted after each run, not timed: through the real CRM (it deletes from the platform), or with IGNORE_CRM for
    // the bench CRM (which answers creates only).
    const remove = (c: OpsCandidate, count: number): Promise<void> =>
      forAll(count, async (n) => {
        const request = { ...opsAppInst(OPS_CLOUDLETS[c], n), ...(c === 'bench' ? { crm_override: CRMOverride.IGNORE_CRM } : {}) };
        expectLast(`DeleteAppInst ${n} on ${OPS_CLOUDLETS[c].name}`, await readAll(client.deleteAppInst(request)), /^Deleted/);
      });
    const created: Record<OpsCandidate, number> = { crm: 0, bench: 0 };
    let perRound = 0;
    const run = async (c: OpsCandidate, durationMs: number): Promise<number> => {
      const r = await closedLoop(OPS.concurrency, durationMs, create(c));
      created[c] += r.calls;
      perRound = Math.max(perRound, r.calls);
      const stored = onCloudlet(c);
      if (stored.length !== r.calls) throw new Error(`${c}: ${stored.length} AppInsts stored, expected ${r.calls}`);
      const notReady = stored.filter((ai) => ai.state !== TrackedState.READY).length;
      if (notReady > 0) throw new Error(`${c}: ${notReady} AppInsts not READY`);
      await remove(c, r.calls);
      if (c === 'crm') {
        await until(() => real.platform.instances().every((i) => i.kind !== 'AppInst') && real.crm.status().queueDepth === 0, 10_000, 'CRM deleted the AppInsts');
      }
      return r.perSecond;
    };

    for (const c of ['crm', 'bench'] as const) await run(c, OPS.warmupMs);
    const r = await interleaveRuns({
      rounds: OPS.rounds,
      candidates: { crm: () => run('crm', OPS.durationMs), bench: () => run('bench', OPS.durationMs) },
      beforeEach: () => void forceGc(),
      onSample: (name, round, perSec) => ctx.log(`ops round ${round + 1}/${OPS.rounds} ${name}: ${Math.round(perSec)} creates/s`),
    });
    const calls = real.platform.callCount('createAppInst');
    if (calls !== created.crm) throw new Error(`the fake platform got ${calls} createAppInst calls, expected ${created.crm}`);
    if (bench.answered.appInsts !== created.bench) throw new Error(`the bench CRM answered ${bench.answered.appInsts} AppInsts, expected ${created.bench}`);
    return {
      name: 'ops_per_s',
      value: r.crm.median,
      unit: 'creates/s',
      baseline: r.bench.median,
      note:
        `CreateAppInst through the lmdb controller's API streamed until "Created successfully", ${OPS.concurrency} concurrent callers, closed loop, ` +
        `${OPS.durationMs} ms per round, for a cloudlet whose CRM is the real one (fake platform latency 0, lmdb store, product defaults): ` +
        `${ms(1000 / r.crm.median)} ms per create; baseline: the same controller and callers for a second cloudlet served by the bench CRM ` +
        `(answers READY at once; the controller-only create rate): ${ms(1000 / r.bench.median)} ms; controller, both CRMs and callers in this process; ` +
        `each round starts with no AppInst on the cloudlet (one ClusterInst, ${OPS.apps} Apps) and creates up to ${perRound} ` +
        `(deleted after the round, not timed: through the real CRM, or IGNORE_CRM for the bench CRM); ` +
        `${created.crm} platform creates in all; median of ${OPS.rounds} rounds, ${spreadNote(r.crm)} (baseline ${spreadNote(r.bench)})`,
    };
  } finally {
    client.close();
    await crms?.bench.stop();
    await crms?.real.remove();
    await ctl.close();
  }
}

// ---- adopt_500_ms ---------------------------------------------------------------------------------------

async function adoptFigure(ctx: BenchContext): Promise<Figure> {
  const site: CrmSite = { cloudlet: 'berlin-adopt', operator: OPERATOR, apps: ADOPT.appInsts };
  const keys = keysOf(site, ADOPT.appInsts);
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-bench-crm-adopt-'));
  const servers: InfoServer[] = [];
  let crm: RealCrm | undefined;
  let bench: BenchCrm | undefined;
  try {
    const server = await startInfoServer();
    servers.push(server);
    putCloudlet(server, site);

    // The first CRM, on empty data dirs: cold start, then it creates the 500 AppInsts.
    const t0 = performance.now();
    crm = await startRealCrm({ notifyAddress: server.address, cloudletKey: siteKey(site), dataDir });
    const first = crm;
    await untilCloudletReady(server, siteKey(site), 10_000);
    await until(() => first.crm.status().synced, 10_000, 'first CRM synced');
    const coldMs = performance.now() - t0;
    await putDependencies(server, site, ADOPT.appInsts, 10_000);
    const c0 = performance.now();
    const allReady = untilAllReady(server.appInstInfos, keys, ADOPT.timeoutMs, 'first CRM creating');
    for (let n = 0; n < ADOPT.appInsts; n++) server.caches.appInsts.update(requestedAppInst(site, n));
    await allReady;
    const createMs = performance.now() - c0;
    for (let n = 0; n < ADOPT.appInsts; n++) server.caches.appInsts.update(readyAppInst(site, n));
    await until(() => first.crm.status().queueDepth === 0, 10_000, 'first CRM idle');
    const before = first.platform.instances().map((i) => `${i.key}#${i.createSeq}`).sort();
    ctx.log(`adopt: cold start ${ms(coldMs)} ms; the first CRM created ${ADOPT.appInsts} AppInsts in ${ms(createMs)} ms`);
    await first.stop();
    crm = undefined;
    await until(() => server.appInstInfos.size === 0, 10_000, 'server flushed the first CRM\'s infos');

    // Baseline server: the same objects, AppInsts CREATE_REQUESTED (what the bench CRM answers).
    const floor = await startInfoServer();
    servers.push(floor);
    putCloudlet(floor, site);
    for (const ci of server.caches.clusterInsts.values()) floor.caches.clusterInsts.update(ci);
    for (const a of server.caches.apps.values()) floor.caches.apps.update(a);
    for (let n = 0; n < ADOPT.appInsts; n++) floor.caches.appInsts.update(requestedAppInst(site, n));

    const creates: number[] = [];
    const phases = { start: [] as number[], first: [] as number[] };
    const r = await interleaveRuns({
      rounds: ADOPT.rounds,
      candidates: {
        crm: async () => {
          const started = performance.now();
          const ready = untilAllReady(server.appInstInfos, keys, ADOPT.timeoutMs, 'restarted CRM adopting');
          let firstInfo = 0;
          const off = server.appInstInfos.watch(() => void (firstInfo ||= performance.now() - started));
          crm = await startRealCrm({ notifyAddress: server.address, cloudletKey: siteKey(site), dataDir });
          phases.start.push(performance.now() - started);
          await ready.finally(off);
          const elapsed = performance.now() - started;
          phases.first.push(firstInfo);
          const again = crm;
          await until(() => again.crm.status().queueDepth === 0, 10_000, 'restarted CRM idle');
          creates.push(again.platform.callCount('createAppInst') + again.platform.callCount('createClusterInst'));
          const after = again.platform.instances().map((i) => `${i.key}#${i.createSeq}`).sort();
          if (after.join('\n') !== before.join('\n')) throw new Error('the platform instances changed across the restart');
          await again.stop();
          crm = undefined;
          await until(() => server.appInstInfos.size === 0, 10_000, 'server flushed the restarted CRM\'s infos');
          return elapsed;
        },
        bench: async () => {
          const started = performance.now();
          const ready = untilAllReady(floor.appInstInfos, keys, ADOPT.timeoutMs, 'bench CRM answering');
          bench = startBenchCrm(floor.address, siteKey(site));
          await ready;
          const elapsed = performance.now() - started;
          await bench.stop();
          bench = undefined;
          await until(() => floor.appInstInfos.size === 0, 10_000, 'server flushed the bench CRM\'s infos');
          return elapsed;
        },
      },
      beforeEach: () => void forceGc(),
      onSample: (name, round, t) => ctx.log(`adopt round ${round + 1}/${ADOPT.rounds} ${name}: ${ms(t)} ms`),
    });
    const createCalls = creates.reduce((a, b) => a + b, 0);
    if (createCalls !== 0) {
      throw new Error(`adoption made ${createCalls} create calls on the platform over ${ADOPT.rounds} restarts (per restart: ${creates.join(', ')}), expected 0`);
    }
    return {
      name: 'adopt_500_ms',
      value: r.crm.median,
      unit: 'ms',
      baseline: r.bench.median,
      note:
        `a CRM (lmdb store, fake platform latency 0) that created ${ADOPT.appInsts} AppInsts (in ${ms(createMs)} ms, one ClusterInst) and was stopped ` +
        `is started again on the same data dirs: from createFakePlatform + Crm.start to all ${ADOPT.appInsts} AppInstInfos READY on the notify server ` +
        `(which flushed them when the CRM disconnected); platform create calls by the restarted CRMs: ${createCalls} (must be 0), instances unchanged; ` +
        `baseline: a bench CRM started against a server holding the same ${ADOPT.appInsts} AppInsts (CREATE_REQUESTED) until all are READY there ` +
        `(the notify floor of the same end point: connect, send-all, ${ADOPT.appInsts} infos back); ` +
        `restart phases (medians): Crm.start resolved (store opened, ${ADOPT.appInsts} desired restored, platform listed, notify started) at ` +
        `${ms(median(phases.start))} ms, first AppInstInfo on the server at ${ms(median(phases.first))} ms; ` +
        `cold start of the first CRM on empty dirs to ready + synced: ${ms(coldMs)} ms; ` +
        `median of ${ADOPT.rounds} rounds, ${spreadNote(r.crm)} (baseline ${spreadNote(r.bench)})`,
    };
  } finally {
    await bench?.stop();
    await crm?.stop();
    for (const s of servers) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- rss_idle_mb, rss_10k_mb ----------------------------------------------------------------------------

function memoryNote(s: MemorySnapshot): string {
  const split = s.rssAnon !== undefined && s.rssFile !== undefined ? ` (anon ${mb(s.rssAnon)}, file ${mb(s.rssFile)})` : '';
  return `RSS ${mb(s.rss)}${split}, heap used ${mb(s.heapUsed)}, array buffers ${mb(s.arrayBuffers)}`;
}

function childNote(r: CrmChildReport): string {
  const { newSpace, oldSpace, oldUsed } = r.v8;
  return `${memoryNote(r.memory)}, heap total ${mb(r.memory.heapTotal)} (young generation ${mb(newSpace)}, old ${mb(oldSpace)} of which ${mb(oldUsed)} live)`;
}

async function rssFigures(ctx: BenchContext): Promise<Figure[]> {
  const site: CrmSite = { cloudlet: 'berlin-rss', operator: OPERATOR, apps: 1000 };
  const keys = keysOf(site, RSS.appInsts);
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-bench-crm-rss-'));
  const runner = prepareChildRunner();
  let server: InfoServer | undefined;
  const children: CrmChild[] = [];
  const spawnChild = (args: readonly string[]): CrmChild => {
    const c = spawnCrmChild(runner, args);
    children.push(c);
    return c;
  };
  try {
    server = await startInfoServer();
    putCloudlet(server, site);
    const crmArgs = ['crm', server.address, site.cloudlet, site.operator, dataDir];
    const bare = spawnChild(['bare']);
    const child = spawnChild(crmArgs);
    const [bareReport, idle] = await Promise.all([bare.next(60_000), child.next(60_000)]);
    await bare.exited(10_000);
    ctx.log(`rss (${runner.how}): bare child ${childNote(bareReport)}; idle CRM (started in ${ms(idle.startMs ?? 0)} ms) ${childNote(idle)}`);

    await putDependencies(server, site, RSS.appInsts, 30_000);
    const t0 = performance.now();
    const allReady = untilAllReady(server.appInstInfos, keys, RSS.timeoutMs, `CRM child creating ${RSS.appInsts} AppInsts`);
    for (let n = 0; n < RSS.appInsts; n++) server.caches.appInsts.update(requestedAppInst(site, n));
    await allReady;
    const createMs = performance.now() - t0;
    for (let n = 0; n < RSS.appInsts; n++) server.caches.appInsts.update(readyAppInst(site, n));
    ctx.log(`rss: the CRM child created ${RSS.appInsts} AppInsts in ${(createMs / 1000).toFixed(1)} s`);
    child.send('measure 10k');
    const full: CrmChildReport = await child.next(RSS.timeoutMs);
    child.send('exit');
    await child.exited(30_000);
    if (full.platformAppInsts !== RSS.appInsts || full.createAppInstCalls !== RSS.appInsts) {
      throw new Error(`the CRM child holds ${full.platformAppInsts} AppInsts after ${full.createAppInstCalls} creates, expected ${RSS.appInsts}`);
    }
    ctx.log(`rss: CRM with ${RSS.appInsts} AppInsts ${childNote(full)}`);
    await until(() => server!.appInstInfos.size === 0, 10_000, 'server flushed the child\'s infos');

    // The same store and platform journal reopened by a fresh child: 10k restored and adopted, no creation burst behind it.
    const again = spawnChild(crmArgs);
    const reopened = await again.next(RSS.timeoutMs);
    again.send('exit');
    await again.exited(30_000);
    if (reopened.platformAppInsts !== RSS.appInsts || reopened.createAppInstCalls !== 0) {
      throw new Error(`the reopened CRM child holds ${reopened.platformAppInsts} AppInsts after ${reopened.createAppInstCalls} creates, expected ${RSS.appInsts} and 0`);
    }
    ctx.log(`rss: CRM child restarted on that store (adopted in ${ms(reopened.startMs ?? 0)} ms) ${childNote(reopened)}`);
    if (!bareReport.gc || !idle.gc || !full.gc || !reopened.gc) ctx.log('WARNING: a child could not force a GC; RSS includes uncollected garbage');

    const perAppInst = Math.round((full.memory.rss - idle.memory.rss) / RSS.appInsts);
    const heapPerAppInst = Math.round((full.memory.heapUsed - idle.memory.heapUsed) / RSS.appInsts);
    const common =
      `child process (${runner.how}, --expose-gc) running only a CRM (lmdb store in a temp dir, fake platform latency 0, product defaults) ` +
      `connected over 127.0.0.1 to a notify server in the bench process; after full GCs; baseline: a child loading the same modules ` +
      `(src/crm, platforms/fake) and starting nothing, run at the same time: ${childNote(bareReport)}; MB = 2^20 bytes; one sample per child`;
    return [
      {
        name: 'rss_idle_mb',
        value: mb(idle.memory.rss),
        unit: 'MB',
        baseline: mb(bareReport.memory.rss),
        note:
          `goal <= ${RSS_GOAL_IDLE_MB} MB: ${mb(idle.memory.rss) <= RSS_GOAL_IDLE_MB ? 'met' : 'MISSED'}; idle: connected and synced, ` +
          `nothing desired (3 Flavors, the Cloudlet): ${childNote(idle)}; ${common}`,
      },
      {
        name: 'rss_10k_mb',
        value: mb(full.memory.rss),
        unit: 'MB',
        baseline: mb(bareReport.memory.rss),
        note:
          `goal <= ${RSS_GOAL_10K_MB} MB: ${mb(full.memory.rss) <= RSS_GOAL_10K_MB ? 'met' : 'MISSED'}; the idle CRM then got ${RSS.appInsts} AppInsts ` +
          `(~300 B) on 10 ClusterInsts x 1000 Apps, all sent CREATE_REQUESTED at once, created them in ${(createMs / 1000).toFixed(1)} s ` +
          `(${Math.round((RSS.appInsts * 1000) / createMs)}/s), the server set them READY, workqueue empty: ${childNote(full)}; ` +
          `per AppInst over idle: RSS +${perAppInst} B, heap +${heapPerAppInst} B; ` +
          `a second child restarted on the same store (10k restored and adopted in ${((reopened.startMs ?? 0) / 1000).toFixed(1)} s, no creation burst): ` +
          `${childNote(reopened)}; ${common}`,
      },
    ];
  } finally {
    for (const c of children) c.kill();
    runner.cleanup();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const crmSection: Section = {
  name: 'crm',
  description:
    'CRM on the fake platform (latency 0) vs the bench CRM answering at once: desired -> READY latency, creates/s through ' +
    'the controller API, restart adoption of 500 AppInsts; RSS idle and with 10k AppInsts vs a bare node child',
  async run(ctx) {
    const ready = await readyFigures(ctx);
    const ops = await opsFigure(ctx);
    const adopt = await adoptFigure(ctx);
    const rss = await rssFigures(ctx);
    return [...ready, ops, adopt, ...rss];
  },
};
