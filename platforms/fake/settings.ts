/**
 * Settings of the fake platform (the config file's `platform` section), their defaults and their validation.
 * See README.md in this folder for the format.
 */
import { Code, invalidArgument, isCode } from '../../src/core/errors.js';
import type { PlatformFlavor } from '../../src/platform/platform.js';
import { number, onlyKeys, parseFlavors, record } from '../common/settings-values.js';

/** The operations whose latency, failure and hanging can be set (settings and {@link FakePlatform.script}). */
export const FAKE_OPERATIONS = Object.freeze([
  'init',
  'gatherResources',
  'listInstances',
  'createClusterInst',
  'updateClusterInst',
  'deleteClusterInst',
  'createAppInst',
  'deleteAppInst',
  'exec',
] as const);

/** One of {@link FAKE_OPERATIONS}. */
export type FakeOperation = (typeof FAKE_OPERATIONS)[number];

/** The operations an injected fault (`faultRate`) can hit: creates, updates and deletes. */
export const MUTATING_OPERATIONS: ReadonlySet<FakeOperation> = new Set([
  'createClusterInst',
  'updateClusterInst',
  'deleteClusterInst',
  'createAppInst',
  'deleteAppInst',
]);

/** A scripted failure: the operation rejects with a CodedError of this code and message. */
export interface FakeFailure {
  readonly message: string;
  readonly code: Code;
}

/** Capacity of the fake cloudlet: RAM in MB, vCPUs, disk in GB. */
export interface FakeLimits {
  readonly ramMb: number;
  readonly vcores: number;
  readonly diskGb: number;
}

/** Validated settings, every field filled. Immutable. */
export interface FakeSettings {
  readonly flavors: readonly PlatformFlavor[];
  readonly limits: FakeLimits;
  /** Latency in ms per operation; `*` is the default of the operations not listed. */
  readonly latency: Readonly<Partial<Record<FakeOperation | '*', number>>>;
  readonly fail: Readonly<Partial<Record<FakeOperation, FakeFailure>>>;
  readonly hang: readonly FakeOperation[];
  /** Probability (0..1) that a create, update or delete fails UNAVAILABLE "injected fault". */
  readonly faultRate: number;
  /** Seed of the random numbers that decide injected faults; undefined: `Math.random`. */
  readonly seed: number | undefined;
  /** Whether the instances are kept in the journal under the data dir (false: nothing is written). */
  readonly persist: boolean;
}

/** The flavors offered when the settings name none. */
export const DEFAULT_FLAVORS: readonly PlatformFlavor[] = Object.freeze([
  { name: 'm4.small', vcpus: 2, ramMb: 4096, diskGb: 40 },
  { name: 'm4.medium', vcpus: 4, ramMb: 8192, diskGb: 80 },
  { name: 'm4.large', vcpus: 8, ramMb: 16384, diskGb: 160 },
  { name: 'm4.xlarge', vcpus: 16, ramMb: 32768, diskGb: 320 },
]);

/** The capacity when the settings give none (each field separately defaults to this). */
export const DEFAULT_LIMITS: FakeLimits = Object.freeze({ ramMb: 256_000, vcores: 128, diskGb: 10_000 });

const P = 'platform';
/** Top-level keys accepted; `type` (the driver name some config files keep in the section) is ignored. */
const TOP_LEVEL = ['flavors', 'limits', 'latency', 'fail', 'hang', 'faultRate', 'seed', 'persist', 'type'];
const MAX_LATENCY_MS = 24 * 3600_000;

function operation(value: unknown, field: string): FakeOperation {
  if (typeof value !== 'string' || !(FAKE_OPERATIONS as readonly string[]).includes(value)) {
    throw invalidArgument(field, `unknown operation ${JSON.stringify(value)} (known: ${FAKE_OPERATIONS.join(', ')})`);
  }
  return value as FakeOperation;
}

function parseLimits(value: unknown): FakeLimits {
  const field = `${P}.limits`;
  const l = record(value, field);
  onlyKeys(l, field, ['ram', 'vcores', 'disk']);
  const one = (name: string, fallback: number): number =>
    l[name] === undefined || l[name] === null ? fallback : number(l[name], `${field}.${name}`, { min: 0, integer: true });
  return { ramMb: one('ram', DEFAULT_LIMITS.ramMb), vcores: one('vcores', DEFAULT_LIMITS.vcores), diskGb: one('disk', DEFAULT_LIMITS.diskGb) };
}

function parseLatency(value: unknown): Partial<Record<FakeOperation | '*', number>> {
  const field = `${P}.latency`;
  const out: Partial<Record<FakeOperation | '*', number>> = {};
  for (const [op, ms] of Object.entries(record(value, field))) {
    const key = op === '*' ? '*' : operation(op, `${field}.${op}`);
    out[key] = number(ms, `${field}.${op}`, { min: 0, max: MAX_LATENCY_MS });
  }
  return out;
}

/**
 * One failure: a message string (code FAILED_PRECONDITION) or `{message, code}` with a gRPC status name other
 * than OK. Throws INVALID_ARGUMENT naming `field` (or its `.message` / `.code`).
 */
export function parseFailure(value: unknown, field: string): FakeFailure {
  if (typeof value === 'string') {
    if (value === '') throw invalidArgument(field, 'must be a non-empty message');
    return { message: value, code: Code.FAILED_PRECONDITION };
  }
  const f = record(value, field);
  onlyKeys(f, field, ['message', 'code']);
  if (typeof f.message !== 'string' || f.message === '') throw invalidArgument(`${field}.message`, 'must be a non-empty string');
  const code = f.code ?? Code.FAILED_PRECONDITION;
  if (!isCode(code) || code === Code.OK) throw invalidArgument(`${field}.code`, 'must be a gRPC status name other than OK (e.g. UNAVAILABLE)');
  return { message: f.message, code };
}

function parseFail(value: unknown): Partial<Record<FakeOperation, FakeFailure>> {
  const field = `${P}.fail`;
  const out: Partial<Record<FakeOperation, FakeFailure>> = {};
  for (const [op, failure] of Object.entries(record(value, field))) {
    out[operation(op, `${field}.${op}`)] = parseFailure(failure, `${field}.${op}`);
  }
  return out;
}

function parseHang(value: unknown): FakeOperation[] {
  const field = `${P}.hang`;
  if (!Array.isArray(value)) throw invalidArgument(field, 'must be a list of operation names');
  return [...new Set(value.map((op: unknown, i) => operation(op, `${field}[${i}]`)))];
}

function parseBoolean(value: unknown, field: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidArgument(field, 'must be true or false');
}

/**
 * Validates the fake platform's settings (unvalidated, from the config file's `platform` section) and fills in
 * the defaults. Every field is optional; `null` counts as absent. Unknown keys are rejected (except `type`), so
 * typos do not pass silently. Throws INVALID_ARGUMENT naming the field path (`platform.flavors[1].vcpus`,
 * `platform.fail.createAppInst.code`...). Pure.
 */
export function parseFakeSettings(raw: Readonly<Record<string, unknown>>): FakeSettings {
  const s = record(raw, P);
  onlyKeys(s, P, TOP_LEVEL);
  const given = (key: string): boolean => s[key] !== undefined && s[key] !== null;
  return Object.freeze({
    flavors: Object.freeze(given('flavors') ? parseFlavors(s.flavors, `${P}.flavors`) : [...DEFAULT_FLAVORS]),
    limits: Object.freeze(given('limits') ? parseLimits(s.limits) : { ...DEFAULT_LIMITS }),
    latency: Object.freeze(given('latency') ? parseLatency(s.latency) : {}),
    fail: Object.freeze(given('fail') ? parseFail(s.fail) : {}),
    hang: Object.freeze(given('hang') ? parseHang(s.hang) : []),
    faultRate: given('faultRate') ? number(s.faultRate, `${P}.faultRate`, { min: 0, max: 1 }) : 0,
    seed: given('seed') ? number(s.seed, `${P}.seed`, { min: 0, max: 2 ** 32 - 1, integer: true }) : undefined,
    persist: given('persist') ? parseBoolean(s.persist, `${P}.persist`) : true,
  });
}

/**
 * A small deterministic random number generator (mulberry32): the same seed gives the same sequence of numbers
 * in [0, 1). For reproducible fault injection (`seed` setting, or `random` in tests).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
