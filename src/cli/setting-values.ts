/**
 * Value parsers shared by the command configurations of the cli: each takes a {@link Source} (the text and where
 * it came from) and returns the typed value, or throws a usage error (INVALID_ARGUMENT, exit 2) naming the source
 * in one line. Pure.
 */
import { Cron } from 'croner';
import { HOST_PORT } from '../core/host-port.js';
import { usageError } from './usage-error.js';

/** A setting's text and where it came from: `--flag`, `--flag (from ENV_VAR)` or `--flag (from file.yaml)`. */
export interface Source {
  readonly value: string;
  readonly name: string;
  /** Directory relative paths are resolved against (the config file's directory, else the working directory). */
  readonly base?: string;
}

/** Throws the usage error `<source name>: <reason>`. */
export function fail(source: Source, reason: string): never {
  throw usageError(source.name, reason);
}

/** A `host:port` (IPv6 in brackets). Port 0 (any free port) only when `allowPortZero`, for listen addresses. */
export function address(source: Source, options: { allowPortZero: boolean }): string {
  const match = HOST_PORT.exec(source.value);
  const port = Number(match?.[2]);
  const min = options.allowPortZero ? 0 : 1;
  if (!match || port < min || port > 65535) fail(source, `${JSON.stringify(source.value)} is not host:port (port ${min}..65535)`);
  return source.value;
}

/** A comma-separated, non-empty list of `host:port` (ports 1..65535); blanks around commas are ignored. */
export function addressList(source: Source): string[] {
  const entries = source.value.split(',').map((s) => s.trim());
  if (entries.every((e) => e === '')) fail(source, 'needs at least one host:port');
  return entries.map((value) => address({ ...source, value }, { allowPortZero: false }));
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Longest duration accepted: what a Node timer can wait (about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Parses a Go-style duration (`500ms`, `3s`, `20m`, `1h30m`, `1.5h`) into whole milliseconds. Returns undefined
 * for text that is not one (no unit, unknown unit, sign, spaces). Pure.
 */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount = '0', unit = 'ms'] of text.matchAll(DURATION_PART)) total += Number(amount) * (UNIT_MS[unit] ?? 1);
  return Math.round(total);
}

/** A duration (`500ms`, `3s`, `20m`, `1h30m`) in ms, at least `min` (default 1) and at most MAX_DURATION_MS. */
export function duration(source: Source, options: { min?: number } = {}): number {
  const min = options.min ?? 1;
  const ms = parseDuration(source.value);
  if (ms === undefined) fail(source, `${JSON.stringify(source.value)} is not a duration such as 3s, 20m or 1h30m`);
  if (ms < min) fail(source, min === 1 ? 'must be greater than 0' : `must be at least ${min} ms`);
  if (ms > MAX_DURATION_MS) fail(source, `must be at most ${MAX_DURATION_MS} ms (about 24 days)`);
  return ms;
}

/** Milliseconds as the shortest duration text in one unit that {@link duration} reads back: 900000 → `15m`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** One of `allowed`. */
export function oneOf<T extends string>(source: Source, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(source.value)) {
    fail(source, `${JSON.stringify(source.value)} is not one of ${allowed.join(', ')}`);
  }
  return source.value as T;
}

/** Any text but blank. */
export function nonEmpty(source: Source): string {
  if (source.value.trim() === '') fail(source, 'must not be empty');
  return source.value;
}

/** A whole number in `min..max` (decimal digits only). */
export function integer(source: Source, min: number, max: number): number {
  const n = /^\d+$/.test(source.value) ? Number(source.value) : NaN;
  if (!Number.isSafeInteger(n)) fail(source, `${JSON.stringify(source.value)} is not a whole number`);
  if (n < min || n > max) fail(source, `must be between ${min} and ${max}`);
  return n;
}

/** A decimal number in 0..1 (`0`, `0.25`, `.5`, `1`). */
export function fraction(source: Source): number {
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(source.value) ? Number(source.value) : NaN;
  if (Number.isNaN(n)) fail(source, `${JSON.stringify(source.value)} is not a number`);
  if (n > 1) fail(source, 'must be between 0 and 1');
  return n;
}

/** `true`/`false` (also `1`/`0`), as environment variables and config files write booleans. */
export function boolean(source: Source): boolean {
  if (source.value === 'true' || source.value === '1') return true;
  if (source.value === 'false' || source.value === '0') return false;
  return fail(source, `${JSON.stringify(source.value)} is not true or false`);
}

/** A croner pattern (5 to 7 fields, seconds first when 6 or 7, or a nickname like `@hourly`) that fires at some point. */
export function cronPattern(source: Source): string {
  let next: Date | null;
  try {
    const job = new Cron(source.value, { paused: true });
    next = job.nextRun();
    job.stop();
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/^CronPattern:\s*/, '');
    return fail(source, `${JSON.stringify(source.value)} is not a cron pattern: ${reason}`);
  }
  if (next === null) fail(source, `${JSON.stringify(source.value)} never fires`);
  return source.value;
}

/** Turns a `node:util` parseArgs failure into a usage error naming the offending flag; `command` is for the hint. */
export function argvError(err: unknown, command: string): never {
  const message = err instanceof Error ? err.message : String(err);
  const inQuotes = /'([^']+)'/.exec(message)?.[1] ?? 'arguments';
  const quoted = /--[A-Za-z0-9-]+/.exec(inQuotes)?.[0] ?? inQuotes.split(' ')[0] ?? inQuotes;
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw usageError(quoted, `unknown flag; see cloudletd ${command} --help`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw usageError(quoted, 'unexpected argument; this command takes flags only');
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    throw usageError(quoted, message.includes('does not take') ? 'takes no value' : 'needs a value');
  }
  throw usageError(quoted, message.split('\n')[0] ?? 'invalid arguments');
}
