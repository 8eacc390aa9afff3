// The container image, built and run on the test Docker daemon: scripts/docker-local-base.sh makes the base (no
// registry is reachable for images), `docker build` the image from the Dockerfile, then a CRM runs in it with host
// networking against a controller of this process: its cloudlet turns READY through the controller's API, the
// image's HEALTHCHECK (`cloudletd health`) turns the container healthy, it runs as a non-root uid, and the default
// command prints the usage. Containers and images made here are removed at the end, whatever happened.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudletInfo, CloudletState, Cloudlet } from '../../../src/gen/edgeproto/cloudlet.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { Operator } from '../../../src/gen/edgeproto/operator.js';
import { catalogClients, type CatalogClients } from '../../helpers/catalog-clients.js';
import { cloudletClients, type CloudletClients } from '../../helpers/cloudlet-clients.js';
import { call, collect, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { REPO_ROOT } from '../../helpers/controller-process.js';
import { dockerTestEnv } from '../../helpers/docker-daemon.js';
import { freePort } from '../../helpers/docker-host.js';
import { waitFor } from '../../helpers/wait-for.js';

const { socketPath } = dockerTestEnv();
const tag = `${process.pid}-${Date.now().toString(36)}`;
const IMAGE = `cloudletd-test/cloudletd:${tag}`;
const CONTAINER = `cloudletd-image-crm-${tag}`;
const CONTROLLER_CONTAINER = `cloudletd-image-ctl-${tag}`;
const BASE = `cloudletd-ci/node-base:${process.versions.node.split('.')[0]}`;
const OPERATOR = 'ImageOp';
const CLOUDLET = `image-${tag}`;
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The environment of every docker command: the test daemon, and the classic builder. The Debian daemon with a
 * recent CLI and no buildx plugin has no other; it also takes `--network host` without an entitlement.
 */
const dockerEnv = { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_BUILDKIT: '0' };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file args` (asynchronously: the controller of this process keeps serving) and resolves whatever the exit. */
function run(file: string, args: readonly string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: REPO_ROOT, env: dockerEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr: err && code === -1 ? `${stderr}\n${err.message}` : stderr });
    });
  });
}

/** Runs a docker command and resolves its stdout; rejects with its stderr if it fails. */
async function docker(args: readonly string[], timeoutMs?: number): Promise<string> {
  const r = await run('docker', args, timeoutMs);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

/** Whether the daemon has an image of that name. */
async function hasImage(name: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', name])).code === 0;
}

let baseExisted = true;
let built = false;
let buildMs = 0;
let ctl: TestController | undefined;
let catalog: CatalogClients | undefined;
let cloudlets: CloudletClients | undefined;
let metricsPort = 0;

beforeAll(async () => {
  baseExisted = await hasImage(BASE);
  const baseStarted = performance.now();
  const base = await run(join(REPO_ROOT, 'scripts/docker-local-base.sh'), [BASE], 120_000);
  if (base.code !== 0) throw new Error(`scripts/docker-local-base.sh failed: ${base.stderr.trim()}`);
  expect(base.stdout.trim()).toBe(BASE);

  // The build stage's `npm ci` reaches the npm registry as this host does: host network (the test daemon has no
  // bridge), the host's registry setting and proxy variables, the host's CA bundle (in the local base). --pull is
  // not given: the base is local and must not be looked up in a registry.
  const registry = await run('npm', ['config', 'get', 'registry']);
  const proxyArgs = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy']
    .filter((name) => process.env[name])
    .flatMap((name) => ['--build-arg', `${name}=${process.env[name]}`]);
  const started = performance.now();
  await docker([
    'build', '--network', 'host', '--force-rm',
    '--build-arg', `BASE_IMAGE=${BASE}`, '--build-arg', `VERSION=${VERSION}`, '--build-arg', 'REVISION=test',
    ...(registry.code === 0 && registry.stdout.trim() ? ['--build-arg', `NPM_REGISTRY=${registry.stdout.trim()}`] : []),
    ...proxyArgs,
    '-t', IMAGE, '.',
  ], 240_000);
  built = true;
  buildMs = performance.now() - started;
  console.info(`image: local base ${(started - baseStarted).toFixed(0)} ms, docker build ${buildMs.toFixed(0)} ms`);

  ctl = await startTestController();
  catalog = catalogClients(ctl.apiAddress);
  cloudlets = cloudletClients(ctl.apiAddress);
  await call(catalog.operators.createOperator.bind(catalog.operators), Operator.fromPartial({ key: { name: OPERATOR } }));
  await call(catalog.flavors.createFlavor.bind(catalog.flavors), Flavor.fromPartial({ key: { name: 'x1.small' }, ram: 1024n, vcpus: 1n, disk: 10n }));
  await collect(cloudlets.cloudlets.createCloudlet(Cloudlet.fromPartial({
    key: { operator_key: { name: OPERATOR }, name: CLOUDLET }, location: { latitude: 52.5, longitude: 13.4 }, num_dynamic_ips: 2,
  })));
  metricsPort = await freePort();
}, 300_000);

afterAll(async () => {
  await run('docker', ['rm', '-f', '-v', CONTAINER, CONTROLLER_CONTAINER]);
  catalog?.close();
  cloudlets?.close();
  await ctl?.close();
  await run('docker', ['rmi', '-f', IMAGE]);
  // What the build left: the untagged images of its build stage, which carry the local base's label.
  await run('docker', ['image', 'prune', '-f', '--filter', 'label=org.cloudletd.base-fingerprint']);
  if (!baseExisted) await run('docker', ['rmi', BASE]);
}, 120_000);

/** The container's logs, for failure messages. */
async function containerLogs(): Promise<string> {
  const r = await run('docker', ['logs', '--tail', '40', CONTAINER]);
  return `${r.stdout}${r.stderr}`.trim();
}

describe('the container image', () => {
  it('is built from the Dockerfile on the local base, with its metadata', async () => {
    expect(built).toBe(true);
    expect(buildMs).toBeGreaterThan(0);
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', IMAGE])) as {
      User: string;
      Entrypoint: string[];
      Cmd: string[];
      WorkingDir: string;
      Env: string[];
      Volumes: Record<string, unknown>;
      ExposedPorts: Record<string, unknown>;
      Labels: Record<string, string>;
      Healthcheck: { Test: string[] };
    };
    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint).toEqual(['cloudletd']);
    expect(config.Cmd).toEqual(['--help']);
    expect(config.WorkingDir).toBe('/var/lib/cloudletd');
    expect(config.Env).toContain('CLOUDLETD_DATA_DIR=/var/lib/cloudletd');
    expect(Object.keys(config.Volumes)).toEqual(['/var/lib/cloudletd']);
    for (const port of ['55001/tcp', '50001/tcp', '36001/tcp', '9091/tcp', '50051/tcp', '38001/tcp', '9092/tcp']) expect(config.ExposedPorts).toHaveProperty(port);
    expect(config.Healthcheck.Test).toEqual(['CMD', 'cloudletd', 'health']);
    expect(config.Labels['org.opencontainers.image.title']).toBe('cloudletd');
    expect(config.Labels['org.opencontainers.image.version']).toBe(VERSION);
    expect(config.Labels['org.opencontainers.image.revision']).toBe('test');
    expect(config.Labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
  });

  it('prints the usage by default, and with --help', async () => {
    const byDefault = await run('docker', ['run', '--rm', '--pull', 'never', '--network', 'none', IMAGE]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toContain('usage: cloudletd <command> [flags]');
    expect(byDefault.stdout).toMatch(/^\s+health\s+probe a \/healthz URL/m);
    const help = await run('docker', ['run', '--rm', '--pull', 'never', '--network', 'none', IMAGE, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(byDefault.stdout);
    const crmHelp = await run('docker', ['run', '--rm', '--pull', 'never', '--network', 'none', IMAGE, 'crm', '--help']);
    expect(crmHelp.code).toBe(0);
    expect(crmHelp.stdout).toContain('usage: cloudletd crm');
  }, 60_000);

  it('runs a CRM whose cloudlet turns READY, as a non-root user, and turns healthy', async () => {
    if (!ctl || !cloudlets) throw new Error('no controller');
    const metricsAddr = `127.0.0.1:${metricsPort}`;
    const runStarted = performance.now();
    // The flag sets where the CRM listens; the variable tells the HEALTHCHECK (same environment) where to probe.
    await docker([
      'run', '-d', '--name', CONTAINER, '--pull', 'never', '--network', 'host',
      '--health-interval', '1s', '--health-timeout', '10s', '--health-retries', '3',
      '-e', `CLOUDLETD_METRICS_ADDR=${metricsAddr}`,
      IMAGE, 'crm', '--cloudlet', `${OPERATOR}/${CLOUDLET}`, '--notify-addrs', ctl.notifyAddress, '--platform', 'fake', '--metrics-addr', metricsAddr,
    ]);

    const filter = CloudletInfo.fromPartial({ key: { operator_key: { name: OPERATOR }, name: CLOUDLET } });
    await waitFor(async () => {
      const infos = await collect(cloudlets!.cloudletInfos.showCloudletInfo(filter));
      return infos.length === 1 && infos[0]?.state === CloudletState.CLOUDLET_STATE_READY;
    }, { timeoutMs: 60_000, intervalMs: 250, message: 'CloudletInfo READY (ShowCloudletInfo)' }).catch(async (err: Error) => {
      throw new Error(`${err.message}; container logs:\n${await containerLogs()}`);
    });

    const status = await waitFor(async () => {
      const s = (await docker(['inspect', '--format', '{{.State.Health.Status}}', CONTAINER])).trim();
      if (s === 'unhealthy') throw new Error('unhealthy');
      return s === 'healthy' ? s : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, message: 'health status healthy' }).catch(async (err: Error) => {
      const health = await run('docker', ['inspect', '--format', '{{json .State.Health}}', CONTAINER]);
      throw new Error(`${err.message}: ${health.stdout.trim()}; container logs:\n${await containerLogs()}`);
    });
    expect(status).toBe('healthy');
    console.info(`image: CRM container READY and healthy ${(performance.now() - runStarted).toFixed(0)} ms after docker run`);
    const log = JSON.parse(await docker(['inspect', '--format', '{{json .State.Health.Log}}', CONTAINER])) as { ExitCode: number; Output: string }[];
    expect(log.at(-1)?.ExitCode).toBe(0);
    expect(log.at(-1)?.Output).toContain(`http://${metricsAddr}/healthz: HTTP 200`);

    const uid = await docker(['exec', CONTAINER, 'node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)']);
    expect(uid).toBe('10001:10001');
    // The CRM keeps its store in the data volume, which that user can write.
    const data = await docker(['exec', CONTAINER, 'node', '-e', 'process.stdout.write(require("node:fs").readdirSync(".").join(","))']);
    expect(data.length).toBeGreaterThan(0);
    const running = (await docker(['inspect', '--format', '{{.State.Running}} {{.Config.User}}', CONTAINER])).trim();
    expect(running).toBe('true 10001:10001');
  }, 150_000);

  it('runs a controller that turns healthy with CLOUDLETD_HEALTH_URL on its REST gateway', async () => {
    const httpAddr = `127.0.0.1:${await freePort()}`;
    await docker([
      'run', '-d', '--name', CONTROLLER_CONTAINER, '--pull', 'never', '--network', 'host',
      '--health-interval', '1s', '--health-timeout', '10s', '--health-retries', '3',
      '-e', `CLOUDLETD_HEALTH_URL=http://${httpAddr}/healthz`,
      IMAGE, 'controller', '--api-addr', '127.0.0.1:0', '--notify-addr', '127.0.0.1:0', '--http-addr', httpAddr, '--store', 'memory',
    ]);
    await waitFor(async () => {
      const s = (await docker(['inspect', '--format', '{{.State.Health.Status}}', CONTROLLER_CONTAINER])).trim();
      if (s === 'unhealthy') throw new Error('unhealthy');
      return s === 'healthy';
    }, { timeoutMs: 60_000, intervalMs: 250, message: 'controller health status healthy' }).catch(async (err: Error) => {
      const health = await run('docker', ['inspect', '--format', '{{json .State.Health}}', CONTROLLER_CONTAINER]);
      const logs = await run('docker', ['logs', '--tail', '40', CONTROLLER_CONTAINER]);
      throw new Error(`${err.message}: ${health.stdout.trim()}; container logs:\n${logs.stdout}${logs.stderr}`);
    });
  }, 90_000);
});
