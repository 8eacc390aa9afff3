/**
 * Health and daemon loss: a container that exits is listed `failed` with its exit code and restarts (and whether
 * Docker gave up); a create repairs it; an unreachable daemon rejects every call UNAVAILABLE naming the socket;
 * a ClusterInst without a Docker network (network: none) keeps its record volume and resizes by generations.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/core/logger.js';
import { createDockerPlatform, DockerNaming, type DockerPlatform } from '../../../../platforms/docker/index.js';
import { keyString } from '../../../../src/wire/object-key.js';
import { ctx, expectCode, listed, recordingContext } from '../../../contract/contract-helpers.js';
import { waitFor } from '../../../helpers/wait-for.js';
import { dockerTestEnv, DockerSpecs, openDocker, purgeUntilClean, uniqueCloudlet } from './fixtures/docker-fixtures.js';

const cloudlet = uniqueCloudlet('health');
const specs = new DockerSpecs(cloudlet);
const docker = new Docker({ socketPath: dockerTestEnv().socketPath });
let platform: DockerPlatform;

beforeAll(async () => {
  platform = await openDocker(cloudlet, { restartMaxRetries: 1, network: 'none', limits: { vcores: 64 } });
});

afterAll(async () => {
  await platform.close();
  await purgeUntilClean(cloudlet);
});

describe('DockerPlatform health', () => {
  it('lists a container that keeps exiting as failed, and says Docker gave up after the restart cap', async () => {
    const cluster = specs.clusterSpec('exits');
    await platform.createClusterInst(cluster, ctx());
    const app = specs.appSpec('exit3', cluster, { command: "sh -c 'exit 3'" });
    await platform.createAppInst(app, ctx());
    const failed = await waitFor(async () => {
      const i = await listed(platform, app.key);
      return i?.status === 'failed' && i.detail?.includes('gave up') ? i : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50, message: 'the AppInst is listed failed' });
    expect(failed.detail).toBe('container main exited with code 3 after 1 restart; gave up (restart limit 1)');
    expect(failed.runtime?.containerIds).toHaveLength(1);
  });

  it('repairs a failed AppInst on create: the same container starts again', async () => {
    const cluster = specs.clusterSpec('repair');
    await platform.createClusterInst(cluster, ctx());
    // Exits 0 (not restarted) the first time, runs the second time.
    const app = specs.appSpec('once', cluster, { command: "sh -c '[ -f /.ran ] && exec sleep 3600; echo > /.ran; exit 0'" });
    const runtime = await platform.createAppInst(app, ctx());
    const id = (await docker.getContainer(runtime.containerIds[0]!).inspect()).Id;
    // Stopped, not crashed: `partial`, which the next create completes (the CRM does that on its own).
    const stopped = await waitFor(async () => {
      const i = await listed(platform, app.key);
      return i?.status === 'partial' ? i : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50, message: 'the AppInst is listed partial' });
    expect(stopped.detail).toBe('container main exited with code 0; a clean exit is not restarted by Docker, the next create starts it again');

    expect(await platform.createAppInst(app, ctx())).toEqual(runtime);
    expect(await listed(platform, app.key)).toMatchObject({ status: 'ready', runtime });
    expect((await docker.getContainer(runtime.containerIds[0]!).inspect()).Id).toBe(id);
  });

  it('without a Docker network keeps a record volume, runs containers without network, and resizes by generations', async () => {
    const cluster = specs.clusterSpec('nonet', 1);
    const naming = new DockerNaming('cloudletd', keyString.cloudlet(cloudlet));
    await platform.createClusterInst(cluster, ctx());
    expect(await docker.listNetworks({ filters: { label: [`cloudletd.clusterinst-id=${naming.id(cluster.key)}`] } })).toEqual([]);
    const records = async () => ((await docker.listVolumes({ filters: { label: [`cloudletd.clusterinst-id=${naming.id(cluster.key)}`] } })).Volumes ?? []).map((v) => v.Name);
    expect(await records()).toEqual([naming.recordName(cluster.key, 1)]);

    const app = specs.appSpec('isolated', cluster, { command: 'sleep 3600', access_ports: 'tcp:80' });
    const runtime = await platform.createAppInst(app, ctx());
    const info = await docker.getContainer(runtime.containerIds[0]!).inspect();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.HostConfig.PortBindings ?? {}).toEqual({});
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 1 });

    await platform.updateClusterInst(specs.clusterSpec('nonet', 3), ctx());
    expect(await listed(platform, cluster.key)).toMatchObject({ status: 'ready', numNodes: 3 });
    expect(await records()).toEqual([naming.recordName(cluster.key, 2)]);
    const restarted = await openDocker(cloudlet, { network: 'bridge' });
    try {
      expect(await listed(restarted, cluster.key)).toMatchObject({ status: 'ready', numNodes: 3 });
    } finally {
      await restarted.close();
    }
    await platform.deleteAppInst({ key: app.key }, ctx());
    await platform.deleteClusterInst({ key: cluster.key }, ctx());
    expect(await records()).toEqual([]);
  });
});

describe('DockerPlatform without a daemon', () => {
  it('rejects every call UNAVAILABLE naming the socket, and honours an aborted signal first', async () => {
    const socketPath = `/tmp/cloudletd-no-daemon-${process.pid}.sock`;
    const lost = await createDockerPlatform({ cloudletKey: cloudlet, settings: { socketPath }, dataDir: '/nonexistent', log: silentLogger() });
    try {
      const cluster = specs.clusterSpec('lost');
      const app = specs.appSpec('lost', cluster);
      const calls: (() => Promise<unknown>)[] = [
        () => lost.init(ctx()),
        () => lost.gatherResources(ctx()),
        () => lost.listInstances(ctx()),
        () => lost.createClusterInst(cluster, ctx()),
        () => lost.deleteClusterInst({ key: cluster.key }, ctx()),
        () => lost.createAppInst(app, ctx()),
        () => lost.deleteAppInst({ key: app.key }, ctx()),
        () => lost.features().exec!.run({ key: app.key, appInst: app.appInst, command: 'true', containerId: '' }, ctx()),
        () => lost.features().logs!.tail(app.key, 1, ctx()),
        () => lost.features().runtime!.appInstRuntime(app.key, ctx()),
      ];
      for (const call of calls) {
        const error = await expectCode(call(), Code.UNAVAILABLE);
        expect(error.message).toContain(socketPath);
        expect(error.message).toContain('ENOENT');
      }
      const aborted = new AbortController();
      aborted.abort();
      await expectCode(lost.init(recordingContext(aborted.signal)), Code.CANCELLED);
      await lost.close();
      await expectCode(lost.listInstances(ctx()), Code.FAILED_PRECONDITION);
    } finally {
      await lost.close();
    }
  });
});
