import * as grpc from '@grpc/grpc-js';
import { hostname } from 'node:os';
import { Controller } from '../controller/controller.js';
import { asCodedError, CodedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Command, CommandContext } from './command.js';
import { CONTROLLER_USAGE, parseControllerArgs } from './controller-config.js';

/** Fields of start errors (Controller, store) and the flags that set them. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = { 'api-addr': '--api-addr', 'notify-addr': '--notify-addr', dataDir: '--data-dir', store: '--store' };

/**
 * A start error as main reports it: one line (gRPC bind errors carry a second line), prefixed with the flag it is
 * about when its field names one.
 */
function oneLine(err: unknown): CodedError {
  const coded = asCodedError(err);
  const flag = coded.field === undefined ? undefined : FLAG_OF_FIELD[coded.field];
  const message = `${flag ? `${flag}: ` : ''}${coded.message.replace(/\s*\n\s*/g, '; ')}`;
  return message === coded.message ? coded : new CodedError(coded.code, message, { field: coded.field, cause: coded });
}

/** Routes grpc-js's own diagnostics (it prints to stderr by default) into the command's logger. */
function routeGrpcLogs(log: Logger): void {
  const grpcLog = log.child({ component: 'grpc' });
  const write = (...args: unknown[]): void => grpcLog.warn({ detail: args.map(String).join(' ') }, 'grpc diagnostic');
  grpc.setLogger({ error: write, warn: write, info: write, debug: write });
}

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
    routeGrpcLogs(log);
    const controller = await Controller.create({ config, log }).catch((err: unknown) => {
      throw oneLine(err);
    });
    await aborted(context.signal);
    log.info({ reason: String((context.signal.reason as Error | undefined)?.message ?? 'stop') }, 'controller stopping');
    await controller.close();
    return 0;
  },
};
