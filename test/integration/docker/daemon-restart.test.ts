// The Docker daemon under a running CRM stops and starts again (a private daemon of this file, restarted on the
// same data root): CloudletInfo goes ERRORS with the reason while it is away, nothing is deleted, and afterwards
// CloudletInfo is READY again, the same container serves again (restarted by the daemon) and the AppInst is READY.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { waitCloudletInfo } from '../../helpers/crm-harness.js';
import { startDockerCrm, type DockerCrm } from '../../helpers/docker-crm.js';
import { cloudletNetworksAndVolumes, containerIdentities, dockerClient, freePorts, namingOf, pageOf, purgeUntilClean, type ContainerIdentity } from '../../helpers/docker-host.js';
import { addDockerCloudlet, appInstKeyOf, dockerAiRequest, dockerApp, dockerCiRequest, uniqueCloudletName } from '../../helpers/docker-inst-env.js';
import { startPrivateDaemon, type PrivateDaemon } from '../../helpers/docker-private-daemon.js';
import { cloudletKeyOf, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const CLOUDLET = uniqueCloudletName('restart');
const cloudletKey = cloudletKeyOf(CLOUDLET);
const EVERY_SECOND = { refreshInfo: '* * * * * *', drift: '* * * * * *', runtime: '* * * * * *' };

let daemon: PrivateDaemon | undefined;
let env: InstEnv | undefined;
let crm: DockerCrm | undefined;
let webPort = 0;
let cleanPort = 0;
let before: ContainerIdentity[] = [];
let resources: { networks: string[]; volumes: string[] } | undefined;

/**
 * httpd under a shell that ends on SIGTERM as a process killed by it would (status 143), so that the daemon's stop
 * does not wait 10 s for PID 1, which ignores SIGTERM; `status` 0 is a service that stops cleanly on SIGTERM.
 */
function serveUntilTerm(port: number, status: number): string {
  return `sh -c 'trap "exit ${status}" TERM; httpd -f -p ${port} -h /www & wait'`;
}

const info = () => env!.ctl.controller.objects.cache(env!.ctl.controller.kinds.cloudletInfo).get(keyString.cloudlet(cloudletKey));
const appInst = (app: string) => env!.ctl.controller.objects.cache(env!.ctl.controller.kinds.appInst).get(appInstKeyOf(app, 'c1', CLOUDLET));

beforeAll(async () => {
  daemon = await startPrivateDaemon();
  [webPort, cleanPort] = await freePorts(2) as [number, number];
  env = await startInstEnv({ crm: false, timeouts: { createMs: 60_000, updateMs: 60_000, deleteMs: 60_000 } });
  await addDockerCloudlet(env, CLOUDLET, [
    dockerApp('web', { image_path: daemon.image, command: serveUntilTerm(webPort, 143), access_ports: `tcp:${webPort}` }),
    dockerApp('clean', { image_path: daemon.image, command: serveUntilTerm(cleanPort, 0), access_ports: `tcp:${cleanPort}` }),
  ]);
  crm = await startDockerCrm(env.ctl.notifyAddress, cloudletKey, { socketPath: daemon.socketPath, config: { schedules: EVERY_SECOND } });
  await waitCloudletInfo(env, CLOUDLET, CloudletState.CLOUDLET_STATE_READY, 20_000);
}, 60_000);

afterAll(async () => {
  await crm?.remove();
  if (daemon?.running) await purgeUntilClean(dockerClient(daemon.socketPath), cloudletKey);
  await daemon?.remove();
  await env?.close();
}, 60_000);

describe('Docker daemon restart under a running CRM', () => {
  it('daemon away: CloudletInfo ERRORS with the reason, nothing deleted; back: READY, the same containers serve again', async () => {
    const e = env!;
    const d = daemon!;
    const docker = dockerClient(d.socketPath);
    expect((await e.createCi(dockerCiRequest('c1', CLOUDLET))).error).toBeUndefined();
    for (const app of ['web', 'clean']) expect((await e.createAi(dockerAiRequest(app, 'c1', CLOUDLET))).error).toBeUndefined();
    for (const port of [webPort, cleanPort]) {
      expect(await waitFor(() => pageOf(port), { timeoutMs: 15_000, intervalMs: 50, message: `GET :${port}` })).toBe('hello from cloudletd\n');
    }
    before = await containerIdentities(docker, cloudletKey);
    resources = await cloudletNetworksAndVolumes(docker, cloudletKey);
    expect(before.map((c) => c.status)).toEqual(['running', 'running']);

    await d.stop();
    const unreachable = `Docker daemon unreachable at ${d.socketPath}`;
    await waitFor(() => info()?.state === CloudletState.CLOUDLET_STATE_ERRORS && info()?.errors.some((m) => m.includes(unreachable)), {
      timeoutMs: 20_000, intervalMs: 20, message: `CloudletInfo ERRORS "${unreachable}..."`,
    });
    expect(appInst('web')?.state).toBe(TrackedState.READY);
    expect(crm!.callCount('deleteAppInst') + crm!.callCount('deleteClusterInst')).toBe(0);

    await d.start();
    await waitFor(() => info()?.state === CloudletState.CLOUDLET_STATE_READY && info()?.errors.length === 0, { timeoutMs: 20_000, intervalMs: 20, message: 'CloudletInfo READY again' });
    // The daemon restarts the container (restart policy on-failure: it ended with 143 at the daemon's stop).
    expect(await waitFor(() => pageOf(webPort), { timeoutMs: 20_000, intervalMs: 50, message: 'web serves again' })).toBe('hello from cloudletd\n');
    await waitFor(() => appInst('web')?.state === TrackedState.READY && appInst('web')?.errors.length === 0, { timeoutMs: 20_000, message: 'web READY without errors' });

    // Nothing was deleted or rebuilt: the same containers (by id), networks and volumes.
    const after = await containerIdentities(docker, cloudletKey);
    expect(after.map((c) => [c.name, c.id])).toEqual(before.map((c) => [c.name, c.id]));
    const web = namingOf(cloudletKey).containerName(appInstKeyOf('web', 'c1', CLOUDLET), 'main');
    expect(after.find((c) => c.name === web)?.startedAt).not.toBe(before.find((c) => c.name === web)?.startedAt); // restarted
    expect(await cloudletNetworksAndVolumes(docker, cloudletKey)).toEqual(resources);
    expect(crm!.callCount('deleteAppInst') + crm!.callCount('deleteClusterInst')).toBe(0);
    expect(appInst('clean')?.state).toBe(TrackedState.READY);
  }, 90_000);

  // Docker's on-failure policy does not restart a clean exit, and a daemon stop ends a service that handles SIGTERM
  // with status 0: the driver lists such a container `partial` (stopped, not crashed), and the CRM's drift job
  // completes it, which starts the same container again.
  it('an app that exits 0 on SIGTERM serves again after the daemon restart', async () => {
    expect(await waitFor(() => pageOf(cleanPort), { timeoutMs: 5_000, intervalMs: 50, message: 'clean serves again' })).toBe('hello from cloudletd\n');
    await waitFor(() => appInst('clean')?.errors.length === 0, { timeoutMs: 5_000, message: 'clean READY without errors' });
  }, 30_000);
});
