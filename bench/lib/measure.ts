/**
 * Measurement helpers: throughput of one function, and several functions measured in interleaved rounds
 * so that machine noise (frequency scaling, other processes, GC) hits a figure and its baseline alike.
 */
import { performance } from 'node:perf_hooks';

/** Options of {@link measureThroughput}. */
export interface ThroughputOptions {
  /** Time spent calling `fn` before measuring (JIT warm-up), in ms; 0 for none. */
  warmupMs: number;
  /** Measuring time in ms (> 0). The clock is read once per batch, so the real time may exceed it slightly. */
  durationMs: number;
  /** Calls of `fn` between two clock reads (integer >= 1). Pick it so one batch takes well under 1 ms. */
  batch: number;
  /**
   * The operation. If it returns a promise, the promise is awaited before the next call; otherwise calls
   * run back to back. The result is kept in a sink so the work cannot be optimised away.
   */
  fn: () => unknown;
}

let sink: unknown;

/** Returns the last value kept by the measuring loops (only to defeat dead-code elimination). */
export function blackhole(): unknown {
  return sink;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function'
  );
}

async function runBatch(fn: () => unknown, batch: number): Promise<void> {
  for (let i = 0; i < batch; i++) {
    const r = fn();
    sink = isThenable(r) ? await r : r;
  }
}

function validate(opts: ThroughputOptions): void {
  if (!Number.isFinite(opts.warmupMs) || opts.warmupMs < 0) {
    throw new RangeError(`warmupMs must be a finite number >= 0, got ${opts.warmupMs}`);
  }
  if (!Number.isFinite(opts.durationMs) || opts.durationMs <= 0) {
    throw new RangeError(`durationMs must be a finite number > 0, got ${opts.durationMs}`);
  }
  if (!Number.isInteger(opts.batch) || opts.batch < 1) {
    throw new RangeError(`batch must be an integer >= 1, got ${opts.batch}`);
  }
}

/**
 * Calls `fn` for `warmupMs`, then for `durationMs`, in batches of `batch` calls, and returns the
 * throughput of the measured part in operations per second.
 */
export async function measureThroughput(opts: ThroughputOptions): Promise<number> {
  validate(opts);
  const { warmupMs, durationMs, batch, fn } = opts;

  if (warmupMs > 0) {
    const warmEnd = performance.now() + warmupMs;
    do {
      await runBatch(fn, batch);
    } while (performance.now() < warmEnd);
  }

  maybeGc();
  let ops = 0;
  const start = performance.now();
  const end = start + durationMs;
  let now = start;
  do {
    await runBatch(fn, batch);
    ops += batch;
    now = performance.now();
  } while (now < end);
  return (ops * 1000) / (now - start);
}

/** Runs a full GC between measurements when node was started with --expose-gc; otherwise does nothing. */
function maybeGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
}

/** Summary of the rounds of one candidate. */
export interface RoundStats {
  /** Median of the rounds: the figure to report. */
  median: number;
  min: number;
  max: number;
  /** (max - min) / median: how noisy the rounds were (0.05 = 5 %). */
  spread: number;
  /** Every round, in the order measured. */
  samples: number[];
}

/** Options of {@link interleave}: the throughput options of every measurement, plus the candidates. */
export interface InterleaveOptions<K extends string> extends Omit<ThroughputOptions, 'fn'> {
  /** Number of rounds (integer >= 1); each round measures every candidate once. 5 is a good default. */
  rounds: number;
  /** The functions to compare, by name (at least one). */
  candidates: Record<K, () => unknown>;
  /** Called after each measurement, e.g. to print progress. */
  onSample?: (name: K, round: number, opsPerSec: number) => void;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median, min, max and spread of some rounds (at least one). */
export function stats(samples: number[]): RoundStats {
  const med = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  return { median: med, min, max, spread: med > 0 ? (max - min) / med : 0, samples };
}

/**
 * Measures every candidate `rounds` times with {@link measureThroughput}, alternating between them: the
 * order rotates each round (A B, B A, A B... for two), so drift and noise land on all candidates alike.
 * Returns per candidate the median ops/s and the spread of the rounds.
 */
export async function interleave<K extends string>(opts: InterleaveOptions<K>): Promise<Record<K, RoundStats>> {
  const names = Object.keys(opts.candidates) as K[];
  if (names.length === 0) throw new RangeError('interleave needs at least one candidate');
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) {
    throw new RangeError(`rounds must be an integer >= 1, got ${opts.rounds}`);
  }
  const samples = new Map<K, number[]>(names.map((n) => [n, []]));

  for (let round = 0; round < opts.rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      const opsPerSec = await measureThroughput({
        warmupMs: opts.warmupMs,
        durationMs: opts.durationMs,
        batch: opts.batch,
        fn: opts.candidates[name],
      });
      samples.get(name)!.push(opsPerSec);
      opts.onSample?.(name, round, opsPerSec);
    }
  }

  return Object.fromEntries(names.map((n) => [n, stats(samples.get(n)!)])) as Record<K, RoundStats>;
}

/** Options of {@link interleaveRuns}. */
export interface InterleaveRunsOptions<K extends string> {
  /** Number of rounds (integer >= 1); each round runs every candidate once. */
  rounds: number;
  /**
   * The candidates, by name. Each run sets up what it needs, times only the part that matters and returns that
   * measurement (e.g. ms, or objects/s); setup and teardown stay outside the number.
   */
  candidates: Record<K, () => Promise<number>>;
  /** Called before every run (e.g. a full GC, so one run's garbage is not collected during the next). */
  beforeEach?: () => void;
  /** Called after each run, e.g. to print progress. */
  onSample?: (name: K, round: number, value: number) => void;
}

/**
 * For measurements too long to repeat in a loop (a whole sync, a reconnect): runs every candidate once per round,
 * alternating the order as {@link interleave} does, and returns per candidate the median of what the runs
 * returned and the spread of the rounds.
 */
export async function interleaveRuns<K extends string>(opts: InterleaveRunsOptions<K>): Promise<Record<K, RoundStats>> {
  const names = Object.keys(opts.candidates) as K[];
  if (names.length === 0) throw new RangeError('interleaveRuns needs at least one candidate');
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) {
    throw new RangeError(`rounds must be an integer >= 1, got ${opts.rounds}`);
  }
  const samples = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      opts.beforeEach?.();
      const value = await opts.candidates[name]();
      samples.get(name)!.push(value);
      opts.onSample?.(name, round, value);
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(samples.get(n)!)])) as Record<K, RoundStats>;
}

/** Result of {@link compareWithBaseline}. */
export interface Comparison {
  /** Median ops/s of `fn`. */
  value: number;
  /** Median ops/s of `baseline`. */
  baseline: number;
  valueStats: RoundStats;
  baselineStats: RoundStats;
}

/**
 * Measures `fn` and `baseline` in alternating rounds (see {@link interleave}) and returns both medians.
 */
export async function compareWithBaseline(
  opts: Omit<InterleaveOptions<'value' | 'baseline'>, 'candidates'> & {
    fn: () => unknown;
    baseline: () => unknown;
  },
): Promise<Comparison> {
  const { fn, baseline, ...rest } = opts;
  const r = await interleave({ ...rest, candidates: { value: fn, baseline } });
  return { value: r.value.median, baseline: r.baseline.median, valueStats: r.value, baselineStats: r.baseline };
}

/** Formats a spread such as 0.031 as `3.1%`. */
export function formatSpread(spread: number): string {
  return `${(spread * 100).toFixed(1)}%`;
}
