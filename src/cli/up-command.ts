import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { AggregatorRegistry, Registry } from 'prom-client';
import { DEFAULT_EXEC_TIMEOUT_MS, DEFAULT_TIMEOUTS, type ControllerConfig } from '../controller/config.js';
import { Controller } from '../controller/controller.js';
import { withTimeout } from '../core/abort.js';
import { asCodedError, Code, CodedError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { CRM_DEFAULTS, type CrmConfig } from '../crm/config.js';
import type { Crm, CrmStatus } from '../crm/crm.js';
import type { Dme } from '../dme/dme.js';
import type { CloudletKey } from '../gen/edgeproto/cloudlet.js';
import { startMetricsServer, type MetricsServer, type ProbeResult } from '../metrics/http-server.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { ApiClient } from './api-client.js';
import type { Command, CommandContext } from './command.js';
import { cloudletLabel, demoData } from './demo-data.js';
import { catalogGroups, instancesOn, waitCloudletOnline } from './demo-seed.js';
import { platformRegistry } from './platform-drivers.js';
import { abortReason, aborted, oneLine, routeGrpcLogs } from './start-helpers.js';
import { parseUpArgs, UP_USAGE, type UpConfig } from './up-config.js';
import { dialAddress, dmeCheck, startUpDme, withPort } from './up-dme.js';
import { formatSummary, LogSink, runProgress, type CloudletPlan, type ProgressOutcome, type UpPlan } from './up-progress.js';

/** Fields of start errors (controller, metrics server, data dirs, platform) and the flags that set them. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  'api-addr': '--api-addr',
  'notify-addr': '--notify-addr',
  'http-addr': '--http-addr',
  'metrics-addr': '--metrics-addr',
  'data-dir': '--data-dir',
  dataDir: '--data-dir',
};

/** The platform driver every CRM of `up` runs on. */
const PLATFORM = 'fake';

async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new CodedError(Code.FAILED_PRECONDITION, `cannot create ${dir}: ${err instanceof Error ? err.message : String(err)}`, { field: 'data-dir', cause: err });
  }
}

/**
 * One /metrics for the whole process: the process metrics, the controller's registry and one registry per CRM
 * (each with the default label `cloudlet="OPERATOR/NAME"`), merged at scrape time. The CRMs register metrics of
 * the same names, so the registries cannot be merged once (prom-client's `Registry.merge` refuses duplicate
 * names); `AggregatorRegistry.aggregate` joins series of the same name, and the `cloudlet` label keeps them apart.
 */
class CombinedRegistry extends Registry {
  constructor(private readonly parts: () => readonly Registry[]) {
    super();
  }

  override async metrics(): Promise<string> {
    const all = await Promise.all(this.parts().map((r) => r.getMetricsAsJSON()));
    return AggregatorRegistry.aggregate(all).metrics();
  }
}

/** A one-line description of a CRM's status, for its progress line. */
function describeStatus(s: CrmStatus): string {
  if (!s.platformReady) return 'initialising the platform';
  if (!s.connected) return 'platform ready; connecting to the controller';
  if (!s.ready) return 'connected; sending CloudletInfo';
  return `ready (${s.cloudletState})`;
}

/** What `up` started, so that it can be closed in order. */
class UpRuntime {
  private controller: Controller | undefined;
  private dme: Dme | undefined;
  private metricsServer: MetricsServer | undefined;
  private client: ApiClient | undefined;
  private notifyDial = '';
  private readonly crms = new Map<string, Crm>();
  private readonly registries: Registry[] = [createMetricsRegistry({ processMetrics: true })];
  private readonly platforms = platformRegistry();
  apiAddress = '';
  notifyAddress = '';
  /** Base URL of the controller's REST gateway, as a local client dials it (`http://127.0.0.1:36001`). */
  httpUrl = '';
  metricsUrl = '';
  dmeApiAddress = '';
  /** Base URL of the DME's REST gateway, as a local client dials it (`http://127.0.0.1:38001`). */
  dmeHttpUrl = '';

  constructor(private readonly config: UpConfig, private readonly dataDir: string, private readonly log: Logger) {}

  api(): ApiClient {
    if (!this.client) throw new CodedError(Code.FAILED_PRECONDITION, 'the controller is not started');
    return this.client;
  }

  async startController(): Promise<string> {
    const { config } = this;
    const controllerConfig: ControllerConfig = {
      apiAddr: config.apiAddr,
      notifyAddr: config.notifyAddr,
      httpAddr: config.httpAddr,
      dataDir: join(this.dataDir, 'controller'),
      store: 'lmdb',
      timeouts: DEFAULT_TIMEOUTS,
      controllerId: `${hostname()}@${config.apiAddr}`,
      execTimeoutMs: DEFAULT_EXEC_TIMEOUT_MS,
    };
    const controller = await Controller.create({ config: controllerConfig, log: this.log.child({ component: 'controller' }) });
    this.controller = controller;
    this.registries.push(controller.registry);
    this.apiAddress = withPort(config.apiAddr, controller.apiPort);
    this.notifyAddress = withPort(config.notifyAddr, controller.notifyPort);
    this.notifyDial = dialAddress(config.notifyAddr, controller.notifyPort);
    this.httpUrl = `http://${dialAddress(config.httpAddr, controller.httpPort ?? 0)}`;
    this.client = new ApiClient(dialAddress(config.apiAddr, controller.apiPort), { defaultTimeoutMs: config.readyTimeoutMs });
    return `controller: API ${this.apiAddress}, REST ${this.httpUrl}, notify ${this.notifyAddress}`;
  }

  async startMetrics(): Promise<string> {
    const ready = (): ProbeResult => {
      const crms = Object.fromEntries([...this.crms].map(([label, crm]) => [label, crm.status()]));
      const dme = this.dme?.status();
      const ok =
        this.controller !== undefined &&
        dme !== undefined && dme.connected && dme.synced &&
        this.crms.size === this.config.cloudlets.length && Object.values(crms).every((s) => s.ready);
      return { ok, detail: { controller: this.controller ? 'running' : 'starting', dme: dme ?? 'starting', crms } };
    };
    this.metricsServer = await startMetricsServer({
      address: this.config.metricsAddr,
      registry: new CombinedRegistry(() => this.registries),
      health: () => ({ ok: true, detail: { controller: this.controller ? 'running' : 'starting', dme: this.dme ? 'running' : 'starting', crms: this.crms.size } }),
      ready,
      log: this.log.child({ component: 'metrics' }),
    });
    this.metricsUrl = `http://${this.metricsServer.address}`;
    return `metrics: ${this.metricsUrl}/metrics`;
  }

  /** Starts the DME (see {@link startUpDme}); resolves to its progress title once it is synced. */
  async startDme(signal: AbortSignal, progress: (message: string) => void): Promise<string> {
    const started = await startUpDme({
      config: this.config, dataDir: this.dataDir, notifyDial: this.notifyDial, log: this.log, signal, progress,
      started: (dme, registry) => {
        this.dme = dme;
        this.registries.push(registry);
      },
    });
    this.dmeApiAddress = started.apiAddress;
    this.dmeHttpUrl = started.httpUrl;
    return started.title;
  }

  /**
   * Starts the CRM of `key` on the fake platform (`<data-dir>/crm-<operator>-<name>`, its driver's state in
   * `platform/` below it) and waits until it is ready and the controller holds its CloudletInfo READY.
   */
  async startCrm(key: CloudletKey, signal: AbortSignal, progress: (message: string) => void): Promise<void> {
    const label = cloudletLabel(key);
    const operator = key.operator_key?.name ?? '';
    const crmDir = join(this.dataDir, `crm-${operator}-${key.name}`);
    const platformDir = join(crmDir, 'platform');
    await makeDir(platformDir);
    const log = this.log.child({ component: 'crm', operator, cloudlet: key.name });
    progress(`starting on the ${PLATFORM} platform (${crmDir})`);
    const platform = await this.platforms.create(PLATFORM, {
      cloudletKey: key, settings: {}, dataDir: platformDir, log: log.child({ component: 'platform', platform: PLATFORM }),
    });
    const config: CrmConfig = { ...CRM_DEFAULTS, cloudletKey: key, notifyAddresses: [this.notifyDial], hostname: `${key.name}-crm`, dataDir: crmDir };
    const registry = createMetricsRegistry();
    registry.setDefaultLabels({ cloudlet: label });
    const { Crm } = await import('../crm/crm.js');
    const crm = await Crm.start({ config, platform, log, registry }).catch(async (err: unknown) => {
      await platform.close().catch(() => undefined);
      throw err;
    });
    this.crms.set(label, crm);
    this.registries.push(registry);
    progress(describeStatus(crm.status()));
    const off = crm.onStatus((s) => progress(describeStatus(s)));
    const deadline = withTimeout(signal, this.config.readyTimeoutMs);
    try {
      await crm.whenReady(deadline);
    } catch (err) {
      if (signal.aborted) throw err;
      const s = crm.status();
      throw new CodedError(Code.DEADLINE_EXCEEDED, `CRM ${label} not ready within ${Math.round(this.config.readyTimeoutMs / 1000)} s: ${describeStatus(s)}`, { cause: err });
    } finally {
      off();
    }
    await waitCloudletOnline(key, { api: this.api(), signal, timeoutMs: this.config.readyTimeoutMs, progress });
  }

  /**
   * Stops in order: CRMs and DME (together), metrics server, API client, controller. Never rejects; problems are
   * logged.
   */
  async close(): Promise<void> {
    const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
      await fn().catch((err: unknown) => this.log.warn({ err: asCodedError(err), what }, 'stop failed'));
    };
    const dme = this.dme;
    await Promise.all([
      ...[...this.crms].map(([label, crm]) => attempt(`CRM ${label}`, () => crm.close())),
      ...(dme ? [attempt('DME', () => dme.close())] : []),
    ]);
    this.crms.clear();
    this.dme = undefined;
    const server = this.metricsServer;
    if (server) await attempt('metrics server', () => server.close());
    this.client?.close();
    if (this.controller) await attempt('controller', () => (this.controller as Controller).close());
  }
}

/** Where component logs go: stdout in the format asked for, or the log file (with warnings also on stderr). */
function upLogger(context: CommandContext, config: UpConfig, dataDir: string): { log: Logger; sink?: LogSink; logFile?: string } {
  if (config.logFormat !== undefined) return { log: context.createLogger({ level: config.logLevel, format: config.logFormat }) };
  const logFile = join(dataDir, 'cloudletd.log');
  const file = pino.destination({ dest: logFile, mkdir: true, sync: true });
  const sink = new LogSink(file, context.stderr);
  return { log: createLogger({ level: config.logLevel, format: 'json', destination: sink }), sink, logFile };
}

/**
 * `cloudletd up` (`npm start` runs `up --demo`): everything on this machine in one process. Parses its
 * configuration (a bad one: a usage error before anything starts), then shows live progress while it starts the
 * controller (store in `<data-dir>/controller`, REST gateway on --http-addr), the one metrics server (/metrics of every component, /healthz,
 * /readyz: ready once the DME is synced and every CRM is ready), the DME (dialing the controller's notify address
 * like the CRMs, client API on --dme-api-addr and --dme-http-addr) until it has the controller's send-all, with
 * --demo seeds the demo catalog through the API, then starts a CRM per cloudlet on the fake platform and, with
 * --demo, creates each cloudlet's ClusterInst and AppInsts and follows them until READY, and checks that the DME
 * finds the demo app from Berlin over REST. Then it prints a summary (first line `cloudletd is up: controller API
 * <addr>, notify <addr>, metrics <url>, DME gRPC <addr>, DME REST <url>, controller REST <url>` with the bound ports, and with --demo the
 * curl commands of that check), runs until the context's signal aborts, closes the CRMs and the DME, the metrics
 * server and the controller, and resolves 0. A failed start (port taken, CRM not ready in time) undoes what was
 * started and rejects with one line naming the flag. Failed demo steps are shown and listed in the summary but do
 * not stop the process.
 *
 * Logs: with --log-format they go to stdout in that format and the progress is printed line by line; without,
 * to `<data-dir>/cloudletd.log`, warnings also to stderr (held until the summary, dropped after a failed start).
 */
export const upCommand: Command = {
  name: 'up',
  summary: 'run everything on this machine: controller, DME and a CRM per cloudlet (fake platform), optional demo data',
  async run(context: CommandContext): Promise<number> {
    const parsed = parseUpArgs(context.argv, context.env);
    if (parsed.help) {
      context.stdout.write(UP_USAGE + '\n');
      return 0;
    }
    const config = parsed.config;
    const dataDir = resolve(config.dataDir);
    await makeDir(dataDir).catch((err: unknown) => {
      throw oneLine(err, FLAG_OF_FIELD);
    });
    const interactive = (context.stdout as { isTTY?: boolean }).isTTY === true && config.logFormat === undefined;
    const { log, sink, logFile } = upLogger(context, config, dataDir);
    routeGrpcLogs(log);
    log.info({ dataDir, cloudlets: config.cloudlets.map(cloudletLabel), demo: config.demo }, 'cloudletd up starting');

    const runtime = new UpRuntime(config, dataDir, log);
    const data = config.demo ? demoData() : undefined;
    const cloudlets: CloudletPlan[] = config.cloudlets.map((key) => ({
      label: cloudletLabel(key),
      startCrm: (signal, progress) => runtime.startCrm(key, signal, progress),
      instances: data ? instancesOn(data, key) : undefined,
    }));
    const plan: UpPlan = {
      startController: () => runtime.startController(),
      startMetrics: () => runtime.startMetrics(),
      startDme: (signal, progress) => runtime.startDme(signal, progress),
      catalog: data ? catalogGroups(data) : [],
      cloudlets,
      checks: data && config.cloudlets.length > 0 ? [dmeCheck(() => runtime.dmeHttpUrl)] : [],
      api: () => runtime.api(),
      stepTimeoutMs: config.readyTimeoutMs,
    };
    let outcome: ProgressOutcome;
    try {
      outcome = await runProgress(plan, { interactive, signal: context.signal });
    } catch (err) {
      // The one-line error says what failed; the warnings around it are in the log file.
      sink?.release(logFile ?? '', true);
      await runtime.close();
      if (context.signal.aborted) {
        context.stdout.write(`stopped while starting (${abortReason(context.signal)})\n`);
        log.info({ reason: abortReason(context.signal) }, 'cloudletd up stopped while starting');
        return 0;
      }
      throw oneLine(err, FLAG_OF_FIELD);
    }
    sink?.release(logFile ?? '');
    context.stdout.write(formatSummary({
      apiAddress: runtime.apiAddress,
      notifyAddress: runtime.notifyAddress,
      httpUrl: runtime.httpUrl,
      metricsUrl: runtime.metricsUrl,
      dmeApiAddress: runtime.dmeApiAddress,
      dmeHttpUrl: runtime.dmeHttpUrl,
      dataDir,
      logFile,
      cloudlets: cloudlets.map((c) => c.label),
      demo: config.demo,
      outcome,
    }));
    log.info(
      {
        apiAddress: runtime.apiAddress,
        notifyAddress: runtime.notifyAddress,
        httpUrl: runtime.httpUrl,
        metricsUrl: runtime.metricsUrl,
        dmeApiAddress: runtime.dmeApiAddress,
        dmeHttpUrl: runtime.dmeHttpUrl,
        failures: outcome.failures.length,
      },
      'cloudletd up ready',
    );
    await aborted(context.signal);
    context.stdout.write(`stopping (${abortReason(context.signal)}): CRMs and DME, then the controller\n`);
    log.info({ reason: abortReason(context.signal) }, 'cloudletd up stopping');
    await runtime.close();
    log.info('cloudletd up stopped');
    context.stdout.write('stopped\n');
    return 0;
  },
};
