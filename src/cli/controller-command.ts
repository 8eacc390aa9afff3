import { hostname } from 'node:os';
import { Controller } from '../controller/controller.js';
import type { Command, CommandContext } from './command.js';
import { CONTROLLER_USAGE, parseControllerArgs } from './controller-config.js';

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * `cloudletd controller`: parses its configuration (flags > env > defaults; a bad one throws a usage error before
 * anything starts), starts the {@link Controller} (which logs one `controller started` line with `apiPort` and
 * `notifyPort`), runs until the context's signal (SIGTERM/SIGINT) aborts, then closes it and resolves 0. A start
 * failure (port taken, store unusable) rejects with its coded error.
 */
export const controllerCommand: Command = {
  name: 'controller',
  summary: 'run the controller: gRPC API, notify server and store',
  async run(context: CommandContext): Promise<number> {
    const parsed = parseControllerArgs(context.argv, context.env, hostname());
    if (parsed.help) {
      context.stdout.write(CONTROLLER_USAGE + '\n');
      return 0;
    }
    const { controller: config, logLevel, logFormat } = parsed.config;
    const log = context.createLogger({ level: logLevel, format: logFormat }).child({ component: 'controller' });
    const controller = await Controller.create({ config, log });
    await aborted(context.signal);
    log.info({ reason: String((context.signal.reason as Error | undefined)?.message ?? 'stop') }, 'controller stopping');
    await controller.close();
    return 0;
  },
};
