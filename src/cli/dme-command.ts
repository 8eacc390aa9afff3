import { hostname } from 'node:os';
import type { Dme } from '../dme/dme.js';
import { startMetricsServer, type ProbeResult } from '../metrics/http-server.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import type { Command, CommandContext } from './command.js';
import { DME_USAGE, parseDmeArgs } from './dme-config.js';
import { abortReason, aborted, oneLine, routeGrpcLogs } from './start-helpers.js';

/** Fields of start errors (metrics server, Dme listeners, session key) and the flags that set them. */
export const DME_FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  'metrics-addr': '--metrics-addr',
  'api-addr': '--api-addr',
  apiAddress: '--api-addr',
  'http-addr': '--http-addr',
  httpAddress: '--http-addr',
  'notify-addrs': '--notify-addrs',
  notifyAddresses: '--notify-addrs',
  'session-key-file': '--session-key-file',
  sessionKeyFile: '--session-key-file',
};

/**
 * `cloudletd dme`: parses its configuration (flags > env > `--config` file > defaults; a bad one throws a usage
 * error before anything starts), starts the HTTP server of /metrics, /healthz (ok while the process runs) and
 * /readyz (ok when the DME is connected to a controller and has its full send-all; the body carries the status),
 * starts the {@link Dme} (gRPC MatchEngineApi and its REST gateway), logs one `dme started` line (`apiPort`,
 * `httpPort`, `metricsPort` and the bound addresses), runs until the context's signal (SIGTERM/SIGINT) aborts, then
 * closes the metrics server and the DME and resolves 0. A start failure undoes what was started and rejects with a
 * one-line coded error, prefixed with the flag it is about (e.g. `--api-addr: ... EADDRINUSE`).
 *
 * The DME module is imported when the command runs, so other commands never load it.
 */
export const dmeCommand: Command = {
  name: 'dme',
  summary: 'run the Distributed Matching Engine: notify client, client API (gRPC and REST), metrics',
  async run(context: CommandContext): Promise<number> {
    const parsed = parseDmeArgs(context.argv, context.env, { hostname: hostname(), cwd: process.cwd() });
    if (parsed.help) {
      context.stdout.write(`${DME_USAGE}\n`);
      return 0;
    }
    const config = parsed.config;
    const log = context.createLogger({ level: config.logLevel, format: config.logFormat }).child({ component: 'dme' });
    routeGrpcLogs(log);

    let dme: Dme | undefined;
    const registry = createMetricsRegistry({ processMetrics: true });
    const ready = (): ProbeResult => {
      const status = dme?.status();
      return status ? { ok: status.connected && status.synced, detail: status } : { ok: false, detail: { state: 'starting' } };
    };
    const metrics = await startMetricsServer({
      address: config.metricsAddress,
      registry,
      health: () => ({ ok: true, detail: { state: dme ? 'running' : 'starting' } }),
      ready,
      log: log.child({ component: 'metrics' }),
    }).catch((err: unknown) => {
      throw oneLine(err, DME_FLAG_OF_FIELD);
    });
    try {
      const { Dme } = await import('../dme/dme.js');
      dme = await Dme.start({ config: config.dme, log, registry });
    } catch (err) {
      await metrics.close();
      throw oneLine(err, DME_FLAG_OF_FIELD);
    }
    log.info(
      {
        apiPort: dme.apiPort,
        httpPort: dme.httpPort,
        metricsPort: metrics.port,
        apiAddress: withPort(config.dme.apiAddress, dme.apiPort),
        httpAddress: withPort(config.dme.httpAddress, dme.httpPort),
        metricsAddress: metrics.address,
        notifyAddresses: config.dme.notifyAddresses,
        carrier: config.dme.carrier,
        sessionKeyFile: config.dme.sessionKeyFile ?? null,
        hostname: config.dme.hostname,
      },
      'dme started',
    );
    await aborted(context.signal);
    log.info({ reason: abortReason(context.signal) }, 'dme stopping');
    await metrics.close();
    await dme.close();
    log.info('dme stopped');
    return 0;
  },
};

/** `host:port` with the port replaced by the bound one. */
function withPort(address: string, port: number): string {
  return `${address.slice(0, address.lastIndexOf(':'))}:${port}`;
}
