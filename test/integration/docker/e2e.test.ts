// The whole path on a real Docker daemon: the controller's API → notify → a real CRM on the docker platform →
// containers. An AppInst serves HTTP on its public port, answers RunCommand, and is gone (container and port)
// after its delete; an App whose image cannot be pulled ends CREATE_ERROR naming the image.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { ExecRequest } from '../../../src/gen/edgeproto/exec.js';
import { keyString } from '../../../src/wire/object-key.js';
import { cloudletClients, type CloudletClients } from '../../helpers/cloudlet-clients.js';
import { call } from '../../helpers/controller-harness.js';
import { waitCloudletInfo } from '../../helpers/crm-harness.js';
import { startDockerCrm, type DockerCrm } from '../../helpers/docker-crm.js';
import { dockerTestEnv } from '../../helpers/docker-daemon.js';
import {
  cloudletContainers,
  cloudletNetworksAndVolumes,
  dockerClient,
  freePorts,
  namingOf,
  pageOf,
  purgeUntilClean,
  tcpProbe,
} from '../../helpers/docker-host.js';
import { addDockerCloudlet, appInstKeyOf, dockerAiRequest, dockerApp, dockerCiRequest, uniqueCloudletName, webApp } from '../../helpers/docker-inst-env.js';
import { startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const { socketPath, image } = dockerTestEnv();
const docker = dockerClient(socketPath);
const CLOUDLET = uniqueCloudletName('e2e');
const MISSING_IMAGE = '127.0.0.1:1/nope:1';

let env: InstEnv | undefined;
let crm: DockerCrm | undefined;
let clients: CloudletClients | undefined;
let port = 0;
let driftPort = 0;
let busyPort = 0;
const cloudletKey = () => ({ operator_key: { name: 'TDG' }, name: CLOUDLET });

beforeAll(async () => {
  [port, driftPort, busyPort] = await freePorts(3) as [number, number, number];
  env = await startInstEnv({ crm: false, timeouts: { createMs: 60_000, updateMs: 60_000, deleteMs: 60_000 } });
  await addDockerCloudlet(env, CLOUDLET, [
    webApp('web', image, port),
    webApp('drift', image, driftPort),
    webApp('busy', image, busyPort),
    dockerApp('nope', { image_path: MISSING_IMAGE, command: 'sleep 3600' }),
  ]);
  // pull "missing": the test image is on the daemon; the missing one makes the daemon try 127.0.0.1:1 (refused).
  crm = await startDockerCrm(env.ctl.notifyAddress, cloudletKey(), { settings: { pull: 'missing' } });
  await waitCloudletInfo(env, CLOUDLET, CloudletState.CLOUDLET_STATE_READY, 20_000);
  clients = cloudletClients(env.ctl.apiAddress);
}, 60_000);

afterAll(async () => {
  clients?.close();
  await crm?.remove();
  await purgeUntilClean(docker, cloudletKey());
  await env?.close();
}, 60_000);

describe('docker platform end to end', () => {
  it('CloudletInfo carries the driver\'s flavors and limits', () => {
    const { kinds, objects } = env!.ctl.controller;
    const info = objects.cache(kinds.cloudletInfo).get(keyString.cloudlet(cloudletKey()));
    expect(info?.flavors.map((f) => f.name)).toEqual(['docker.small', 'docker.medium']);
    expect(info).toMatchObject({ os_max_vcores: 64n, os_max_ram: 65536n, os_max_vol_gb: 1000n, errors: [] });
  });

  it('AppInst READY serves HTTP on its public port, runs commands, and is gone after its delete', async () => {
    const e = env!;
    const { kinds, objects } = e.ctl.controller;
    const ci = await e.createCi(dockerCiRequest('c1', CLOUDLET));
    expect(ci.error).toBeUndefined();
    expect(await cloudletNetworksAndVolumes(docker, cloudletKey())).toMatchObject({ networks: [expect.any(String)], volumes: [expect.any(String)] });

    const created = await e.createAi(dockerAiRequest('web', 'c1', CLOUDLET));
    expect(created.error).toBeUndefined();
    const key = appInstKeyOf('web', 'c1', CLOUDLET);
    const stored = objects.cache(kinds.appInst).get(key);
    expect(stored?.state).toBe(TrackedState.READY);
    expect(stored?.mapped_ports.map((p) => [p.internal_port, p.public_port])).toEqual([[port, port]]);
    const main = namingOf(cloudletKey()).containerName(key, 'main');
    expect(stored?.runtime_info?.container_ids).toEqual([main]);

    const containers = await cloudletContainers(docker, cloudletKey(), key);
    expect(containers.map((c) => [c.Names[0], c.State, c.Image])).toEqual([[`/${main}`, 'running', image]]);
    expect(containers[0]!.Ports).toEqual([expect.objectContaining({ IP: '127.0.0.1', PrivatePort: port, PublicPort: port, Type: 'tcp' })]);
    // READY means started; httpd may take a moment more to listen.
    expect(await waitFor(() => pageOf(port), { timeoutMs: 15_000, intervalMs: 50, message: `GET 127.0.0.1:${port}/` })).toBe('hello from cloudletd\n');

    const run = (command: string) => call<ExecRequest, ExecRequest>(clients!.exec.runCommand.bind(clients!.exec),
      ExecRequest.fromPartial({ app_inst_key: dockerAiRequest('web', 'c1', CLOUDLET).key, command }));
    const hi = await run('echo hi');
    expect(hi.answer).toBe('hi\n');
    expect(hi.err).toBeUndefined();
    const page = await run('cat /www/index.html');
    expect(page.answer).toBe('hello from cloudletd\n');
    const failing = await run('echo oops >&2; exit 3');
    expect(failing.answer).toBe('oops\n');
    expect(failing.err).toBe('command exited with status 3');

    const deleted = await e.deleteAi(dockerAiRequest('web', 'c1', CLOUDLET));
    expect(deleted.error).toBeUndefined();
    expect(objects.cache(kinds.appInst).get(key)).toBeUndefined();
    expect(await cloudletContainers(docker, cloudletKey(), key)).toEqual([]);
    expect(await waitFor(async () => ((await tcpProbe(port)) === 'ECONNREFUSED' ? 'refused' : undefined), { timeoutMs: 10_000, intervalMs: 50, message: 'port closed' })).toBe('refused');

    expect((await e.deleteCi(dockerCiRequest('c1', CLOUDLET))).error).toBeUndefined();
    expect(await cloudletNetworksAndVolumes(docker, cloudletKey())).toEqual({ networks: [], volumes: [] });
    expect(await cloudletContainers(docker, cloudletKey())).toEqual([]);
    expect(crm!.callCount('createAppInst')).toBe(1);
    expect(crm!.callCount('deleteAppInst')).toBe(1);
  }, 60_000);

  it('an image that cannot be pulled: CreateAppInst fails ABORTED, CREATE_ERROR naming the image, no container left', async () => {
    const e = env!;
    const { kinds, objects } = e.ctl.controller;
    expect((await e.createCi(dockerCiRequest('c2', CLOUDLET))).error).toBeUndefined();
    const failed = await e.createAi(dockerAiRequest('nope', 'c2', CLOUDLET));
    expect(failed.error?.code).toBe('ABORTED');
    expect(failed.error?.details).toContain(MISSING_IMAGE);
    const key = appInstKeyOf('nope', 'c2', CLOUDLET);
    const stored = objects.cache(kinds.appInst).get(key);
    expect(stored?.state).toBe(TrackedState.CREATE_ERROR);
    expect(stored?.errors.join('\n')).toMatch(/^Create App Inst failed: image 127\.0\.0\.1:1\/nope:1 cannot be pulled: /m);
    expect(await cloudletContainers(docker, cloudletKey(), key)).toEqual([]);

    // The failed AppInst can be deleted, then its ClusterInst.
    expect((await e.deleteAi(dockerAiRequest('nope', 'c2', CLOUDLET))).error).toBeUndefined();
    expect((await e.deleteCi(dockerCiRequest('c2', CLOUDLET))).error).toBeUndefined();
    expect(await cloudletNetworksAndVolumes(docker, cloudletKey())).toEqual({ networks: [], volumes: [] });
  }, 60_000);

  it('a public port already taken on the host: CREATE_ERROR with the daemon\'s reason, no container left', async () => {
    const e = env!;
    const { kinds, objects } = e.ctl.controller;
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(busyPort, '127.0.0.1', resolve));
    try {
      expect((await e.createCi(dockerCiRequest('c3', CLOUDLET))).error).toBeUndefined();
      const failed = await e.createAi(dockerAiRequest('busy', 'c3', CLOUDLET));
      expect(failed.error?.code).toBe('ABORTED');
      const key = appInstKeyOf('busy', 'c3', CLOUDLET);
      const stored = objects.cache(kinds.appInst).get(key);
      expect(stored?.state).toBe(TrackedState.CREATE_ERROR);
      expect(stored?.errors.join('\n')).toMatch(new RegExp(`^Create App Inst failed: .*${busyPort}.*(address already in use|port is already allocated)`, 'm'));
      await waitFor(async () => (await cloudletContainers(docker, cloudletKey(), key)).length === 0, { timeoutMs: 10_000, message: 'the failed container removed' });
      expect((await e.deleteAi(dockerAiRequest('busy', 'c3', CLOUDLET))).error).toBeUndefined();
      expect((await e.deleteCi(dockerCiRequest('c3', CLOUDLET))).error).toBeUndefined();
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);

  it('drift: a container removed behind the CRM\'s back is rebuilt and serves again; one whose process dies is restarted by Docker', async () => {
    const e = env!;
    const { kinds, objects } = e.ctl.controller;
    expect((await e.createCi(dockerCiRequest('c4', CLOUDLET))).error).toBeUndefined();
    expect((await e.createAi(dockerAiRequest('drift', 'c4', CLOUDLET))).error).toBeUndefined();
    const key = appInstKeyOf('drift', 'c4', CLOUDLET);
    await waitFor(() => pageOf(driftPort), { timeoutMs: 15_000, intervalMs: 50, message: 'drift serves' });
    const [first] = await cloudletContainers(docker, cloudletKey(), key);

    await docker.getContainer(first!.Id).remove({ force: true });
    await crm!.crm.detectDriftNow();
    const rebuilt = await waitFor(async () => {
      const list = await cloudletContainers(docker, cloudletKey(), key);
      return list.length === 1 && list[0]!.Id !== first!.Id && list[0]!.State === 'running' ? list[0] : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, message: 'container rebuilt' });
    expect(rebuilt.Names).toEqual(first!.Names); // same name: the same runtime_info container id
    expect(await waitFor(() => pageOf(driftPort), { timeoutMs: 15_000, intervalMs: 50, message: 'drift serves again' })).toBe('hello from cloudletd\n');
    expect(objects.cache(kinds.appInst).get(key)?.state).toBe(TrackedState.READY);

    // Its process dies (SIGKILL from the host, as the OOM killer would; `docker kill` would count as a manual stop):
    // Docker's restart policy (on-failure) restarts the same container.
    const before = await docker.getContainer(rebuilt.Id).inspect();
    process.kill(before.State.Pid, 'SIGKILL');
    const restarted = await waitFor(async () => {
      const info = await docker.getContainer(rebuilt.Id).inspect();
      return info.State.Running && info.State.StartedAt !== before.State.StartedAt ? info : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, message: 'restarted by Docker' });
    expect(restarted.RestartCount).toBe(before.RestartCount + 1);
    expect(await waitFor(() => pageOf(driftPort), { timeoutMs: 15_000, intervalMs: 50, message: 'drift serves after the restart' })).toBe('hello from cloudletd\n');

    expect((await e.deleteAi(dockerAiRequest('drift', 'c4', CLOUDLET))).error).toBeUndefined();
    expect((await e.deleteCi(dockerCiRequest('c4', CLOUDLET))).error).toBeUndefined();
    expect(await cloudletContainers(docker, cloudletKey())).toEqual([]);
  }, 60_000);
});
