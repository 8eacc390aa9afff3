/**
 * Section `docker`: the CRM (src/crm) on the Docker platform (platforms/docker) against a real Docker daemon.
 *
 * - `create_50_s`: 50 AppInsts (deployment docker, each its own App: httpd of the local busybox test image on port
 *   8080, published on 127.0.0.1 at a port Docker picks, flavor x1.small, on one ClusterInst) put CREATE_REQUESTED
 *   into a notify server playing the controller, until the server holds all 50 AppInstInfos READY. The CRM runs in
 *   this process with the product defaults (lmdb store, concurrency 16). Baseline: the same 50 containers made with
 *   dockerode directly (create + start, what `docker run -d` does), 16 at a time: same image, command, labels,
 *   NanoCpus / Memory, restart policy, user-defined bridge network with alias, and published port. Alternating
 *   rounds; every round starts with no container; the CRM's are deleted through the CRM between rounds, the
 *   baseline's removed directly (not timed).
 *
 * The daemon: CLOUDLETD_TEST_DOCKER_SOCKET (+ CLOUDLETD_TEST_DOCKER_IMAGE) when set, else a private one started with
 * scripts/test-dockerd.sh in a temp dir and stopped at the end. Nothing is pulled; ports are published on
 * 127.0.0.1 only; everything the section made is removed at the end (by the cloudlet labels).
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';

import Docker from 'dockerode';

import { TrackedState } from '../../src/gen/edgeproto/common.js';
import { keyString } from '../../src/wire/object-key.js';
import { until } from '../lib/controller-fixtures.js';
import { startInfoServer, untilAllReady, untilCloudletReady, untilInfo, type InfoServer } from '../lib/crm-fixtures.js';
import { openBenchDaemon, type BenchDaemon } from '../lib/docker-bench-daemon.js';
import { startDockerBenchCrm, type DockerBenchCrm } from '../lib/docker-bench-crm.js';
import {
  BENCH_FLAVOR,
  benchApp,
  benchAppInst,
  benchAppInstKey,
  benchClusterInst,
  benchDriverSettings,
  containersOf,
  namingOf,
  pageOf,
  publishedPort,
  purgeCloudlet,
  rawContainerOptions,
  rawNetworkLabels,
  removeContainers,
} from '../lib/docker-bench-fixtures.js';
import { forceGc } from '../lib/gc.js';
import { formatSpread, interleaveRuns, type RoundStats } from '../lib/measure.js';
import { cloudlet, cloudletKey } from '../lib/notify-fixtures.js';
import type { BenchContext, Figure, Section } from '../lib/types.js';

/** 50 AppInsts per round, 16 at a time (the CRM's default concurrency), 3 rounds each after a warm-up of 10. */
const CREATE = { appInsts: 50, concurrency: 16, rounds: 3, warmup: 10, timeoutMs: 180_000 } as const;
const GOAL_RATIO = 1.2;
const OPERATOR = 'TDG';
const CLOUDLETS = { crm: cloudletKey('berlin-docker-crm', OPERATOR), raw: cloudletKey('berlin-docker-raw', OPERATOR) } as const;

function seconds(ms: number): number {
  return ms / 1000;
}

function spreadNote(s: RoundStats): string {
  return `spread ${formatSpread(s.spread)}`;
}

/** Polls the async `condition` every 50 ms until it holds; rejects after `timeoutMs` with `what`. */
async function untilAsync(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Checks that `count` containers of `cloudlet` run and, when `serve`, that one of them answers the test page. */
async function checkContainers(docker: Docker, which: keyof typeof CLOUDLETS, count: number, serve: boolean): Promise<void> {
  const list = await containersOf(docker, CLOUDLETS[which]);
  const running = list.filter((c) => c.State === 'running').length;
  if (list.length !== count || running !== count) throw new Error(`${which}: ${list.length} containers, ${running} running, expected ${count}`);
  if (!serve) return;
  const port = await publishedPort(docker, list[0]!.Id);
  await untilAsync(async () => (await pageOf(port)) === 'hello from cloudletd\n', 15_000, `${which}: GET 127.0.0.1:${port}/`);
}

interface Stack {
  readonly docker: Docker;
  readonly image: string;
  readonly server: InfoServer;
  readonly crm: DockerBenchCrm;
  readonly rawNetwork: string;
}

/** 0..count-1 through the CRM: from the desired AppInsts to all AppInstInfos READY (ms); then deletes them, untimed. */
async function crmRound(stack: Stack, count: number, serve: boolean): Promise<number> {
  const { server, crm, docker } = stack;
  const site = CLOUDLETS.crm;
  const keys = new Set(Array.from({ length: count }, (_, n) => benchAppInstKey(site, n)));
  const ready = untilAllReady(server.appInstInfos, keys, CREATE.timeoutMs, 'CRM creating');
  const t0 = performance.now();
  for (let n = 0; n < count; n++) server.caches.appInsts.update(benchAppInst(site, n, TrackedState.CREATE_REQUESTED));
  await ready;
  const elapsed = performance.now() - t0;
  await checkContainers(docker, 'crm', count, serve);

  // Delete through the CRM, as the controller does: READY, then DELETE_REQUESTED until the info is gone.
  for (let n = 0; n < count; n++) server.caches.appInsts.update(benchAppInst(site, n, TrackedState.READY));
  for (let n = 0; n < count; n++) server.caches.appInsts.update(benchAppInst(site, n, TrackedState.DELETE_REQUESTED));
  await until(() => [...keys].every((k) => !server.appInstInfos.has(k)), CREATE.timeoutMs, 'CRM deleting');
  for (const k of keys) server.caches.appInsts.delete(k);
  await until(() => crm.crm.status().queueDepth === 0, 30_000, 'CRM idle');
  const left = await containersOf(docker, site);
  if (left.length > 0) throw new Error(`the CRM left ${left.length} containers after its deletes`);
  return elapsed;
}

/** The same containers with dockerode (create + start), `CREATE.concurrency` at a time (ms); then removed, untimed. */
async function rawRound(stack: Stack, count: number, serve: boolean): Promise<number> {
  const { docker, image, rawNetwork } = stack;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const container = await docker.createContainer(rawContainerOptions(CLOUDLETS.raw, n, image, rawNetwork));
      await container.start();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(CREATE.concurrency, count) }, worker));
  const elapsed = performance.now() - t0;
  await checkContainers(docker, 'raw', count, serve);
  await removeContainers(docker, CLOUDLETS.raw, CREATE.concurrency);
  return elapsed;
}

/** The notify server with the Flavor and Cloudlet, the CRM (CloudletInfo READY, synced), the ClusterInst READY, the Apps. */
async function startCrmStack(daemon: BenchDaemon, ctx: BenchContext): Promise<{ server: InfoServer; crm: DockerBenchCrm }> {
  const site = CLOUDLETS.crm;
  const server = await startInfoServer();
  let crm: DockerBenchCrm | undefined;
  try {
    server.caches.flavors.update(BENCH_FLAVOR);
    server.caches.cloudlets.update(cloudlet(site.name, OPERATOR));
    const t0 = performance.now();
    crm = await startDockerBenchCrm({ notifyAddress: server.address, cloudletKey: site, settings: benchDriverSettings(daemon.socketPath) });
    const started = crm;
    await untilCloudletReady(server, site, 30_000);
    await until(() => started.crm.status().synced, 30_000, 'CRM synced');
    ctx.log(`CRM on the docker platform ready and synced in ${(performance.now() - t0).toFixed(0)} ms`);
    const ciKey = keyString.clusterInst(benchClusterInst(site, TrackedState.READY).key);
    const ciReady = untilInfo(server.clusterInstInfos, ciKey, (i) => i.state === TrackedState.READY, 60_000, 'ClusterInstInfo READY');
    server.caches.clusterInsts.update(benchClusterInst(site, TrackedState.CREATE_REQUESTED));
    await ciReady;
    server.caches.clusterInsts.update(benchClusterInst(site, TrackedState.READY));
    for (let n = 0; n < CREATE.appInsts; n++) server.caches.apps.update(benchApp(n, daemon.image));
    return { server, crm };
  } catch (err) {
    await crm?.remove();
    await server.close();
    throw err;
  }
}

async function createFigure(ctx: BenchContext): Promise<Figure> {
  const daemon = await openBenchDaemon((m) => ctx.log(m));
  // A client like the driver's: its own keep-alive agent on the unix socket.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const docker = new Docker({ socketPath: daemon.socketPath, agent } as Docker.DockerOptions);
  let crmStack: { server: InfoServer; crm: DockerBenchCrm } | undefined;
  try {
    await docker.getImage(daemon.image).inspect(); // present locally: nothing is ever pulled
    for (const key of Object.values(CLOUDLETS)) await purgeCloudlet(docker, key); // leftovers of an earlier run
    crmStack = await startCrmStack(daemon, ctx);
    const rawNetwork = namingOf(CLOUDLETS.raw).networkName(keyString.clusterInst(benchClusterInst(CLOUDLETS.raw, TrackedState.READY).key));
    await docker.createNetwork({ Name: rawNetwork, Driver: 'bridge', CheckDuplicate: true, Labels: rawNetworkLabels(CLOUDLETS.raw) });
    const s: Stack = { docker, image: daemon.image, server: crmStack.server, crm: crmStack.crm, rawNetwork };

    // Warm-up, and the check that both candidates make containers that serve the page.
    const warm = { crm: await crmRound(s, CREATE.warmup, true), raw: await rawRound(s, CREATE.warmup, true) };
    ctx.log(`warm-up of ${CREATE.warmup}: crm ${seconds(warm.crm).toFixed(2)} s, raw ${seconds(warm.raw).toFixed(2)} s; both serve the test page`);

    const r = await interleaveRuns({
      rounds: CREATE.rounds,
      candidates: {
        crm: async () => seconds(await crmRound(s, CREATE.appInsts, false)),
        raw: async () => seconds(await rawRound(s, CREATE.appInsts, false)),
      },
      beforeEach: () => void forceGc(),
      onSample: (name, round, sec) => ctx.log(`round ${round + 1}/${CREATE.rounds} ${name}: ${CREATE.appInsts} containers in ${sec.toFixed(2)} s`),
    });
    const ratio = r.crm.median / r.raw.median;
    return {
      name: 'create_50_s',
      value: r.crm.median,
      unit: 's',
      baseline: r.raw.median,
      note:
        `goal ratio <= ${GOAL_RATIO}: ${ratio <= GOAL_RATIO ? 'met' : 'MISSED'} (${ratio.toFixed(2)}); ` +
        `${CREATE.appInsts} AppInsts (deployment docker, one App each: busybox httpd on 8080 published on 127.0.0.1, x1.small = 1 vCPU / 1024 MB, ` +
        `one ClusterInst = user-defined bridge network) put CREATE_REQUESTED into a notify server playing the controller, until all ` +
        `${CREATE.appInsts} AppInstInfos READY are back at it: ${(r.crm.median / CREATE.appInsts * 1000).toFixed(0)} ms per AppInst; CRM in this process ` +
        `with product defaults (lmdb store, concurrency ${CREATE.concurrency}), driver pull never; ` +
        `baseline: the same ${CREATE.appInsts} containers (same image, command, 10 labels, NanoCpus/Memory, restart on-failure:5, network + alias, ` +
        `published port) made with dockerode create + start, ${CREATE.concurrency} at a time: ${(r.raw.median / CREATE.appInsts * 1000).toFixed(0)} ms per container; ` +
        `${daemon.private ? 'private daemon (scripts/test-dockerd.sh: vfs, no iptables, userland proxy)' : `daemon ${daemon.socketPath}`}; ` +
        `every round starts with no container (CRM: deleted through the CRM, baseline: removed directly, not timed); ` +
        `median of ${CREATE.rounds} alternating rounds after a warm-up of ${CREATE.warmup}, ${spreadNote(r.crm)} (baseline ${spreadNote(r.raw)})`,
    };
  } finally {
    await crmStack?.crm.remove();
    await crmStack?.server.close();
    for (const key of Object.values(CLOUDLETS)) await purgeCloudlet(docker, key).catch(() => undefined);
    agent.destroy();
    await daemon.close();
  }
}

export const dockerSection: Section = {
  name: 'docker',
  description: 'CRM on the docker platform: 50 AppInsts to READY on a real daemon vs the same containers via dockerode',
  async run(ctx: BenchContext): Promise<Figure[]> {
    return [await createFigure(ctx)];
  },
};
