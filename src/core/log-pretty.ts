/**
 * A minimal human-readable rendering of pino's JSON lines, one line per record:
 * `2025-01-02T03:04:05.678Z INFO  cloudlet ready key=edge1 cpus=8 err="CodedError: boom"`.
 * Written here instead of depending on pino-pretty; no colors, no multi-line stacks.
 */

/** Something pino (or this module) can write finished log lines to. */
export interface LogDestination {
  /** Receives one complete record per call (a line ending in `\n`). Must not throw. */
  write(line: string): unknown;
}

/** Keys rendered in the line prefix (or dropped) rather than as `key=value` pairs. */
const PREFIX_KEYS: ReadonlySet<string> = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * Renders one pino JSON record (with or without its trailing newline) as a single pretty line ending in `\n`.
 * Input that is not a JSON object is returned unchanged (with a newline). Pure; never throws.
 */
export function prettyLine(json: string): string {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const r = record as Record<string, unknown>;
  const time = typeof r['time'] === 'number' ? new Date(r['time']).toISOString() : text(r['time']);
  const level = text(r['level']).toUpperCase().padEnd(5);
  const parts: string[] = [time, level, text(r['msg'])];
  for (const [key, value] of Object.entries(r)) {
    if (PREFIX_KEYS.has(key) || value === undefined) continue;
    parts.push(...renderField(key, value));
  }
  return `${parts.filter((p) => p !== '').join(' ')}\n`;
}

/**
 * Wraps a destination so that every JSON line written to the result reaches `destination` rendered by
 * {@link prettyLine}. Stateless apart from the wrapped destination.
 */
export function prettyDestination(destination: LogDestination): LogDestination {
  return {
    write(chunk: string): void {
      // pino writes one record per call; split defensively in case several arrive together.
      for (const line of chunk.split('\n')) {
        if (line.trim() !== '') destination.write(prettyLine(line));
      }
    },
  };
}

function renderField(key: string, value: unknown): string[] {
  if (isSerializedError(value)) {
    const out = [`${key}=${quote(`${value.type}: ${value.message}`)}`];
    if (value.code !== undefined) out.push(`${key}.code=${renderValue(value.code)}`);
    if (value.field !== undefined) out.push(`${key}.field=${renderValue(value.field)}`);
    return out;
  }
  return [`${key}=${renderValue(value)}`];
}

/** Renders a value that came out of `JSON.parse` (so only JSON types). */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return `${value}`;
  return JSON.stringify(value);
}

/** A prefix part: strings as is, other JSON values rendered, absent values empty. */
function text(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : renderValue(value);
}

function quote(s: string): string {
  return s !== '' && /^[^\s"=\\]+$/.test(s) ? s : JSON.stringify(s);
}

interface SerializedError {
  type: string;
  message: string;
  code?: unknown;
  field?: unknown;
}

function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['type'] === 'string' && typeof v['message'] === 'string' && typeof v['stack'] === 'string';
}
