import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CodedError, Code } from '../core/errors.js';
import type { Crm } from '../crm/crm.js';
import { startMetricsServer, type ProbeResult } from '../metrics/http-server.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import type { Command, CommandContext } from './command.js';
import { formatCloudletKeyArg } from './cloudlet-key-arg.js';
import { CRM_USAGE, parseCrmArgs } from './crm-config.js';
import { platformRegistry } from './platform-drivers.js';
import { abortReason, aborted, oneLine, routeGrpcLogs } from './start-helpers.js';

/** Fields of start errors (metrics server, data dir, platform registry, CRM store) and the flags that set them. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  'metrics-addr': '--metrics-addr',
  'data-dir': '--data-dir',
  dataDir: '--data-dir',
  store: '--store',
  platform: '--platform',
  'notify-addrs': '--notify-addrs',
};

async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new CodedError(Code.FAILED_PRECONDITION, `cannot create ${dir}: ${err instanceof Error ? err.message : String(err)}`, { field: 'data-dir', cause: err });
  }
}

/**
 * `cloudletd crm`: parses its configuration (flags > env > `--config` file > defaults; a bad one throws a usage
 * error before anything starts), starts the HTTP server of /metrics, /healthz (ok while the process runs) and
 * /readyz (ok when `Crm.status().ready`; the body carries the status), creates `<data-dir>/platform` (not in a
 * dry run), creates the platform driver with that directory, starts the {@link Crm}, logs one `crm started` line
 * (`metricsPort`, `metricsAddress`, `platform`, `store`, `dryRun`; `cloudlet` and `operator` are on every line),
 * runs until the context's signal (SIGTERM/SIGINT) aborts, then closes the metrics server and the CRM (which logs
 * `crm stopped`) and resolves 0. A start failure undoes what was started and rejects with a one-line coded error,
 * prefixed with the flag it is about (e.g. `--metrics-addr: metrics server cannot listen on ...: EADDRINUSE`).
 *
 * The CRM and the driver modules are imported when the command runs, so other commands never load them.
 */
export const crmCommand: Command = {
  name: 'crm',
  summary: 'run the Cloudlet Resource Manager of one cloudlet: notify client, reconciler, platform driver, metrics',
  async run(context: CommandContext): Promise<number> {
    const platforms = platformRegistry();
    const parsed = parseCrmArgs(context.argv, context.env, { hostname: hostname(), cwd: process.cwd(), platforms: platforms.names() });
    if (parsed.help) {
      context.stdout.write(`${CRM_USAGE}\nplatform drivers: ${platforms.names().join(', ')}\n`);
      return 0;
    }
    const config = parsed.config;
    const key = config.crm.cloudletKey;
    const log = context
      .createLogger({ level: config.logLevel, format: config.logFormat })
      .child({ component: 'crm', operator: key.operator_key?.name ?? '', cloudlet: key.name });
    routeGrpcLogs(log);
    if (config.dryRun) log.info({ platform: config.platform, store: config.crm.store }, 'dry run: nothing is kept');

    let crm: Crm | undefined;
    const registry = createMetricsRegistry({ processMetrics: true });
    const ready = (): ProbeResult => {
      const status = crm?.status();
      return status ? { ok: status.ready, detail: status } : { ok: false, detail: { state: 'starting' } };
    };
    const metrics = await startMetricsServer({
      address: config.metricsAddress,
      registry,
      health: () => ({ ok: true, detail: { state: crm ? 'running' : 'starting' } }),
      ready,
      log: log.child({ component: 'metrics' }),
    }).catch((err: unknown) => {
      throw oneLine(err, FLAG_OF_FIELD);
    });
    try {
      const platformDir = join(config.crm.dataDir, 'platform');
      if (!config.dryRun) await makeDir(platformDir);
      const platform = await platforms.create(config.platform, {
        cloudletKey: key,
        settings: config.platformSettings,
        dataDir: platformDir,
        log: log.child({ component: 'platform' }),
      });
      const { Crm } = await import('../crm/crm.js');
      crm = await Crm.start({ config: config.crm, platform, log, registry }).catch(async (err: unknown) => {
        await platform.close().catch(() => undefined);
        throw err;
      });
    } catch (err) {
      await metrics.close();
      throw oneLine(err, FLAG_OF_FIELD);
    }
    log.info(
      {
        metricsPort: metrics.port,
        metricsAddress: metrics.address,
        cloudletKey: formatCloudletKeyArg(key),
        platform: config.platform,
        store: config.crm.store,
        dataDir: config.crm.dataDir,
        notifyAddresses: config.crm.notifyAddresses,
        dryRun: config.dryRun,
      },
      'crm started',
    );
    await aborted(context.signal);
    log.info({ reason: abortReason(context.signal) }, 'crm stopping');
    await metrics.close();
    await crm.close();
    return 0;
  },
};
