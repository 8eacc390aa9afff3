import { hostname } from 'node:os';
import { Controller } from '../controller/controller.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import type { Command, CommandContext } from './command.js';
import { CONTROLLER_USAGE, parseControllerArgs } from './controller-config.js';
import { abortReason, aborted, oneLine, routeGrpcLogs } from './start-helpers.js';

/** Fields of start errors (Controller, store) and the flags that set them. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = { 'api-addr': '--api-addr', 'notify-addr': '--notify-addr', 'http-addr': '--http-addr', dataDir: '--data-dir', store: '--store' };

/**
 * `cloudletd controller`: parses its configuration (flags > env > defaults; a bad one throws a usage error before
 * anything starts), starts the {@link Controller} (which logs one `controller started` line with `apiPort`,
 * `notifyPort` and `httpPort`), runs until the context's signal (SIGTERM/SIGINT) aborts, then closes it and resolves 0. A start
 * failure (port taken, store unusable) rejects with its coded error.
 */
export const controllerCommand: Command = {
  name: 'controller',
  summary: 'run the controller: gRPC API, REST gateway, notify server and store',
  async run(context: CommandContext): Promise<number> {
    const parsed = parseControllerArgs(context.argv, context.env, hostname());
    if (parsed.help) {
      context.stdout.write(CONTROLLER_USAGE + '\n');
      return 0;
    }
    const { controller: config, logLevel, logFormat } = parsed.config;
    const log = context.createLogger({ level: logLevel, format: logFormat }).child({ component: 'controller' });
    routeGrpcLogs(log);
    const registry = createMetricsRegistry({ processMetrics: true });
    const controller = await Controller.create({ config, log, registry }).catch((err: unknown) => {
      throw oneLine(err, FLAG_OF_FIELD);
    });
    await aborted(context.signal);
    log.info({ reason: abortReason(context.signal) }, 'controller stopping');
    await controller.close();
    return 0;
  },
};
