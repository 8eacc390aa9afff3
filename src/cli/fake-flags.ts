/**
 * The `--fake-*` flags of `cloudletd crm`: shortcuts that script the fake platform from the command line (so tests
 * can drive a real CRM process), turned into the fake driver's settings `{ latency, fail, hang, faultRate }`. Pure.
 */
import { FAKE_OPERATIONS, type FakeOperation } from '../../platforms/fake/settings.js';
import { parseDuration } from './setting-values.js';
import { fail, fraction, type Source } from './setting-values.js';

/** The operations the flags can script: the fake driver's own list. */
export { FAKE_OPERATIONS, type FakeOperation };

/** The fake driver settings the flags produce; only what was given is present. */
export interface FakeFlagSettings {
  /** Delay per operation, in ms; `*` is the delay of the operations not listed. */
  latency?: Record<string, number>;
  /** Error message per operation: the operation fails with it. */
  fail?: Record<string, string>;
  /** Operations that never finish (until their signal aborts). */
  hang?: string[];
  /** Share (0..1) of operations that fail at random. */
  faultRate?: number;
}

/** Where each fake-* value came from: a flag may be repeated (one source per occurrence). */
export interface FakeFlagSources {
  readonly latency: readonly Source[];
  readonly fail: readonly Source[];
  readonly hang: readonly Source[];
  readonly faultRate: Source | undefined;
}

function operation(source: Source, text: string): FakeOperation {
  const op = text.trim();
  if (!(FAKE_OPERATIONS as readonly string[]).includes(op)) {
    fail(source, `unknown operation ${JSON.stringify(op)} (operations: ${FAKE_OPERATIONS.join(', ')})`);
  }
  return op as FakeOperation;
}

/** `OP=VALUE` split at the first `=`; OP may be `*` (every operation not listed) when `star` is allowed. */
function pair(source: Source, entry: string, form: string, star = false): [FakeOperation | '*', string] {
  const at = entry.indexOf('=');
  if (at < 0) fail(source, `${JSON.stringify(entry)} is not ${form}`);
  const op = entry.slice(0, at).trim();
  return [star && op === '*' ? '*' : operation(source, op), entry.slice(at + 1).trim()];
}

function entries(source: Source): string[] {
  return source.value.split(',').map((e) => e.trim()).filter((e) => e !== '');
}

/**
 * Parses the fake-* values: `latency` entries `OP=DURATION` (a duration such as 2s, or bare milliseconds; OP `*`
 * for every operation not listed), comma-separated; `fail` one `OP=MESSAGE` per occurrence (the message may hold commas); `hang` comma-separated
 * operations; `faultRate` a number 0..1. Later entries for the same operation win. Returns undefined when none was
 * given, else the settings and the first source (to name in an error about them all). Throws a usage error naming
 * the flag for an unknown operation or a bad value.
 */
export function fakePlatformSettings(sources: FakeFlagSources): { settings: FakeFlagSettings; source: Source } | undefined {
  const settings: FakeFlagSettings = {};
  for (const source of sources.latency) {
    for (const entry of entries(source)) {
      const [op, value] = pair(source, entry, 'OP=DURATION', true);
      const ms = /^\d+$/.test(value) ? Number(value) : parseDuration(value);
      if (ms === undefined) fail(source, `${JSON.stringify(value)} is not a duration such as 500ms or 2s (for ${op})`);
      settings.latency = { ...settings.latency, [op]: ms };
    }
  }
  for (const source of sources.fail) {
    const [op, message] = pair(source, source.value.trim(), 'OP=MESSAGE');
    if (message === '') fail(source, `needs a message after "${op}="`);
    settings.fail = { ...settings.fail, [op]: message };
  }
  for (const source of sources.hang) {
    const ops = entries(source).map((e) => operation(source, e));
    if (ops.length === 0) fail(source, 'needs at least one operation');
    settings.hang = [...new Set([...(settings.hang ?? []), ...ops])];
  }
  if (sources.faultRate) settings.faultRate = fraction(sources.faultRate);
  const first = [...sources.latency, ...sources.fail, ...sources.hang, ...(sources.faultRate ? [sources.faultRate] : [])][0];
  return first ? { settings, source: first } : undefined;
}
