/**
 * The Docker driver against the real test daemon: published ports, environment, exec, logs, stats, missing
 * images, restart adoption, extra containers, capacity and cloudlet isolation. One cloudlet and one ClusterInst
 * (one bridge network) serve the whole file; everything labelled for the cloudlet is removed at the end.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { LProto } from '../../../../src/gen/dme/appcommon.js';
import type { DockerPlatform } from '../../../../platforms/docker/index.js';
import { ctx, expectCode, listed, recordingContext } from '../../../contract/contract-helpers.js';
import { waitFor } from '../../../helpers/wait-for.js';
import { dockerTestEnv, DockerSpecs, freePort, openDocker, purgeUntilClean, uniqueCloudlet } from './fixtures/docker-fixtures.js';

const cloudlet = uniqueCloudlet('platform');
const specs = new DockerSpecs(cloudlet);
const cluster = specs.clusterSpec('shared');
const docker = new Docker({ socketPath: dockerTestEnv().socketPath });
const SETTINGS = { limits: { vcores: 64 } };
let platform: DockerPlatform;

beforeAll(async () => {
  platform = await openDocker(cloudlet, SETTINGS);
  await platform.init(ctx());
  await platform.createClusterInst(cluster, ctx());
});

afterAll(async () => {
  await platform.close();
  await purgeUntilClean(cloudlet);
});

describe('DockerPlatform on a real daemon', () => {
  it('serves HTTP on the mapped public port of hostIp', async () => {
    const port = await freePort();
    const app = specs.appSpec('web', cluster, { command: 'httpd -f -p 8080 -h /www', access_ports: 'tcp:8080' }, [
      { proto: LProto.L_PROTO_TCP, internal_port: 8080, public_port: port, path_prefix: '', fqdn_prefix: '' },
    ]);
    const runtime = await platform.createAppInst(app, ctx());
    expect(runtime.containerIds).toHaveLength(1);
    const body = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      return res.ok ? res.text() : undefined;
    }, { timeoutMs: 5000, intervalMs: 50, message: 'httpd answers' });
    expect(body).toContain('hello');
    const info = await docker.getContainer(runtime.containerIds[0]!).inspect();
    expect(info.HostConfig.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(info.HostConfig.NanoCpus).toBe(1e9);
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 5 });
    expect(info.Config.Labels['cloudletd.appinst']).toBe(app.key);
  });

  it('passes envVarsYaml to the container; exec returns stdout, stderr and the exit code', async () => {
    const app = specs.appSpec('env', cluster, {
      command: 'sleep 3600',
      configs: [{ kind: 'envVarsYaml', config: '- name: GREETING\n  value: hello world\n- name: PORT\n  value: 7\n' }],
    });
    await platform.createAppInst(app, ctx());
    const exec = platform.features().exec!;
    const env = await exec.run({ key: app.key, appInst: app.appInst, command: 'env', containerId: '' }, ctx());
    expect(env).toMatchObject({ exitCode: 0 });
    expect(env.output).toContain('GREETING=hello world\n');
    expect(env.output).toContain('PORT=7\n');
    const mixed = await exec.run({ key: app.key, appInst: app.appInst, command: 'echo out; echo err >&2; exit 7', containerId: '' }, ctx());
    expect(mixed.exitCode).toBe(7);
    expect(mixed.output.split('\n').sort()).toEqual(['', 'err', 'out']); // stdout and stderr, in no fixed order

    const controller = new AbortController();
    const started = performance.now();
    const slow = exec.run({ key: app.key, appInst: app.appInst, command: 'sleep 30', containerId: '' }, recordingContext(controller.signal));
    setTimeout(() => controller.abort(), 100);
    await expectCode(slow, Code.CANCELLED);
    expect(performance.now() - started).toBeLessThan(2000);
    await expectCode(exec.run({ key: app.key, appInst: app.appInst, command: 'true', containerId: 'no-such-container' }, ctx()), Code.NOT_FOUND);
  });

  it('tails the log and reports usage from the stats API', async () => {
    // stdout and stderr reach the log file in no fixed order: the stderr line comes well before the others.
    const app = specs.appSpec('logs', cluster, { command: `sh -c 'echo oops >&2; sleep 0.3; for i in 1 2 3 4; do echo line$i; done; exec sleep 3600'` });
    const runtime = await platform.createAppInst(app, ctx());
    const all = await waitFor(async () => {
      const text = await platform.features().logs!.tail(app.key, 0, ctx());
      return text.includes('line4') ? text : undefined;
    }, { timeoutMs: 5000, intervalMs: 50, message: 'the log is written' });
    expect(all).toBe('oops\nline1\nline2\nline3\nline4\n');
    expect(await platform.features().logs!.tail(app.key, 2, ctx())).toBe('line3\nline4\n');

    const usage = await platform.features().runtime!.appInstRuntime(app.key, ctx());
    expect(usage.containerIds).toEqual(runtime.containerIds);
    expect(usage.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(usage.memoryBytes).toBeGreaterThan(0);
    expect(usage.networkRxBytes).toBeGreaterThanOrEqual(0);
    expect(usage.networkTxBytes).toBeGreaterThanOrEqual(0);
  });

  it('rejects a missing image NOT_FOUND with its name and the reason, leaving nothing', async () => {
    const missing = await openDocker(cloudlet, { ...SETTINGS, pull: 'missing' });
    try {
      const app = specs.appSpec('noimage', cluster, { image_path: '127.0.0.1:1/nope:1', command: 'true' });
      const error = await expectCode(missing.createAppInst(app, ctx()), Code.NOT_FOUND);
      expect(error.message).toContain('127.0.0.1:1/nope:1');
      expect(error.message).toMatch(/refused|dial|connect/i);
      expect(await listed(missing, app.key)).toBeUndefined();
      const never = specs.appSpec('noimage2', cluster, { image_path: '127.0.0.1:1/nope:2', command: 'true' });
      expect((await expectCode(platform.createAppInst(never, ctx()), Code.NOT_FOUND)).message).toContain('127.0.0.1:1/nope:2');
    } finally {
      await missing.close();
    }
  });

  it('a restarted driver adopts the same instances with the same containers', async () => {
    const app = specs.appSpec('adopt', cluster, { command: 'sleep 3600' });
    const runtime = await platform.createAppInst(app, ctx());
    const dockerId = (await docker.getContainer(runtime.containerIds[0]!).inspect()).Id;
    const before = (await platform.listInstances(ctx())).filter((i) => i.key === app.key || i.key === cluster.key);
    expect(before.map((i) => i.status)).toEqual(['ready', 'ready']);

    const again = await openDocker(cloudlet, SETTINGS);
    try {
      await again.init(ctx());
      expect((await again.listInstances(ctx())).filter((i) => i.key === app.key || i.key === cluster.key)).toEqual(before);
      expect((await again.createAppInst(app, ctx())).containerIds).toEqual(runtime.containerIds);
      expect((await docker.getContainer(runtime.containerIds[0]!).inspect()).Id).toBe(dockerId);
    } finally {
      await again.close();
    }
  });

  it('runs the extra containers of the deployment manifest next to the main one', async () => {
    const manifest = "- name: sidecar\n  command: sh -c 'exec sleep 3600'\n  env: [{name: ROLE, value: sidecar}]\n";
    const app = specs.appSpec('multi', cluster, { command: 'httpd -f -p 8080 -h /www', deployment_manifest: manifest });
    const runtime = await platform.createAppInst(app, ctx());
    expect(runtime.containerIds).toHaveLength(2);
    expect(runtime.containerIds[1]).toMatch(/-sidecar$/);
    expect(await listed(platform, app.key)).toMatchObject({ status: 'ready', runtime });
    const exec = platform.features().exec!;
    const role = await exec.run({ key: app.key, appInst: app.appInst, command: `echo $ROLE; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 multi 8080`, containerId: runtime.containerIds[1]! }, ctx());
    expect(role.output).toContain('sidecar');
    expect(role.output).toContain('hello'); // the main container, by its App name on the cluster network
    await platform.deleteAppInst({ key: app.key }, ctx());
    expect(await listed(platform, app.key)).toBeUndefined();
  });

  it('checks capacity against the limits and refuses what it cannot run', async () => {
    const big = { ...specs.clusterSpec('big', 40), nodeFlavor: { name: 'huge', vcpus: 2, ramMb: 1, diskGb: 0 } };
    const error = await expectCode(platform.createClusterInst(big, ctx()), Code.RESOURCE_EXHAUSTED);
    expect(error.message).toContain('vCPUs');
    expect(await listed(platform, big.key)).toBeUndefined();

    const helm = specs.appSpec('helm', cluster, { deployment: 'helm' });
    await expectCode(platform.createAppInst(helm, ctx()), Code.FAILED_PRECONDITION);
    const badCommand = specs.appSpec('badcmd', cluster, { command: "sh -c 'unterminated" });
    expect((await expectCode(platform.createAppInst(badCommand, ctx()), Code.INVALID_ARGUMENT)).field).toBe('app.command');
    expect(await listed(platform, badCommand.key)).toBeUndefined();
    await expectCode(platform.deleteClusterInst({ key: cluster.key }, ctx()), Code.FAILED_PRECONDITION);
    expect(await listed(platform, cluster.key)).toMatchObject({ status: 'ready' });
  });

  it('sees and touches only its own cloudlet', async () => {
    const otherCloudlet = uniqueCloudlet('other');
    const other = await openDocker(otherCloudlet, SETTINGS);
    try {
      expect(await other.listInstances(ctx())).toEqual([]);
      await other.deleteClusterInst({ key: cluster.key }, ctx());
      await other.deleteAppInst({ key: specs.appSpec('adopt', cluster).key }, ctx());
      expect(await listed(platform, cluster.key)).toMatchObject({ status: 'ready' });
      expect(await listed(platform, specs.appSpec('adopt', cluster).key)).toMatchObject({ status: 'ready' });
      const resources = await other.gatherResources(ctx());
      expect(resources.maxVcores).toBe(64);
      expect(resources.flavors[0]).toMatchObject({ name: 'docker.1cpu', vcpus: 1 });
    } finally {
      await other.close();
      await purgeUntilClean(otherCloudlet);
    }
  });
});
