/**
 * Types shared by the bench runner and its sections.
 *
 * A section measures a few figures; each figure may carry the baseline it was measured beside, in the
 * same run, so that `ratio = value / baseline` compares like with like on whatever machine ran it.
 */

/** One measured number. `name` is local to its section (`[a-z0-9_]+`); the runner prefixes `<section>.`. */
export interface Figure {
  /** Local name, e.g. `appinst_encode_decode`; reported as `<section>.<name>`. */
  name: string;
  /** The measured value (finite). */
  value: number;
  /** Unit of `value` and `baseline`, e.g. `messages/s`. */
  unit: string;
  /** The same quantity for the reference implementation, measured in the same run (positive, finite). */
  baseline?: number;
  /** Short free text: what the baseline is, spread of the rounds, sizes... */
  note?: string;
}

/** What the runner hands to every section. */
export interface BenchContext {
  /** Progress output for humans (goes to stderr, so stdout carries only the table). */
  log(message: string): void;
}

/** A bench section, registered once in `bench/sections/index.ts`. */
export interface Section {
  /** Selects the section on the command line and prefixes its figures (`[a-z0-9_-]+`). */
  name: string;
  /** One line saying what is measured and against what. */
  description: string;
  /** Measures and returns the figures. May throw; the runner reports the error and goes on. */
  run(ctx: BenchContext): Promise<Figure[]>;
}

/** One entry of `bench/results.json`, keyed by `<section>.<figure>`. */
export interface ResultEntry {
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  note?: string;
}

/** The whole `bench/results.json` document. */
export type Results = Record<string, ResultEntry>;
