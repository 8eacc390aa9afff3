/**
 * The Logger interface every component receives (architecture convention 10), its pino-backed implementation
 * and a silent one for tests. Messages are short constants; the data goes in fields:
 * `log.info({ cloudlet: key, cpus }, 'cloudlet ready')`.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import { invalidArgument } from './errors.js';
import { prettyDestination, type LogDestination } from './log-pretty.js';

export type { LogDestination } from './log-pretty.js';

/** One log method: a constant message, optionally preceded by structured fields. Never throws. */
export interface LogMethod {
  (msg: string): void;
  (fields: object, msg: string): void;
}

/** What components log through. Errors go in an `err` field: `log.warn({ err }, 'retry failed')`. */
export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  /** A logger that adds `fields` to every record; the parent is unchanged. */
  child(fields: Record<string, unknown>): Logger;
}

/** Accepted levels, from most to least verbose; `silent` disables output. */
export const LOG_LEVELS = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const);

/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Output format: pino's JSON lines, or the single-line human format of `log-pretty.ts`. */
export type LogFormat = 'json' | 'pretty';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. Default `info`. */
  level?: LogLevel;
  /** Default `json`. */
  format?: LogFormat;
  /** Where lines go. Default: standard output (through pino's own destination). */
  destination?: LogDestination;
  /** Fields added to every record (e.g. `{ component: 'crm' }`). */
  fields?: Record<string, unknown>;
}

/**
 * Creates a pino-backed logger. JSON records carry `level` as a label (`"info"`), an ISO `time`, `msg`, the
 * given fields and, in JSON format, `pid` and `hostname`. Throws `INVALID_ARGUMENT` for an unknown level or
 * format. Each call builds an independent logger; nothing global is configured.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = 'info', format = 'json', destination, fields } = options;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw invalidArgument('log.level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (format !== 'json' && format !== 'pretty') {
    throw invalidArgument('log.format', 'must be json or pretty');
  }
  const pinoOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    ...(format === 'pretty' ? { base: null } : {}),
  };
  const stream: LogDestination | undefined =
    format === 'pretty' ? prettyDestination(destination ?? pino.destination(1)) : destination;
  const root = stream ? pino(pinoOptions, stream) : pino(pinoOptions);
  return wrap(fields ? root.child(fields) : root);
}

/** A logger that discards everything; `child` returns a silent logger too. For tests and optional deps. */
export function silentLogger(): Logger {
  const noop: LogMethod = () => undefined;
  const logger: Logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    child: () => logger,
  };
  return logger;
}

function wrap(p: PinoLogger): Logger {
  const method =
    (name: 'trace' | 'debug' | 'info' | 'warn' | 'error'): LogMethod =>
    (a: object | string, msg?: string): void => {
      if (typeof a === 'string') p[name](a);
      else p[name](a, msg);
    };
  return {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (fields) => wrap(p.child(fields)),
  };
}
