/**
 * Figures -> `bench/results.json` entries, and merging a partial run into the existing file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import type { Figure, ResultEntry, Results } from './types.js';

const FIGURE_NAME = /^[a-z0-9_]+$/;

/** Rounds a measured value: whole numbers from 1000 up, otherwise 4 significant digits. */
export function roundValue(x: number): number {
  if (x === 0) return 0;
  return Math.abs(x) >= 1000 ? Math.round(x) : Number(x.toPrecision(4));
}

/** Rounds a ratio to 3 significant digits (0.823, 1.25, 12.3). */
export function roundRatio(x: number): number {
  return Number(x.toPrecision(3));
}

/** Checks a figure returned by a section; throws an Error naming the field and the reason. */
export function validateFigure(section: string, f: Figure): void {
  const where = `section '${section}', figure '${String(f.name)}'`;
  if (typeof f.name !== 'string' || !FIGURE_NAME.test(f.name)) {
    throw new Error(`${where}: name must match ${String(FIGURE_NAME)}`);
  }
  if (typeof f.value !== 'number' || !Number.isFinite(f.value)) {
    throw new Error(`${where}: value must be a finite number, got ${String(f.value)}`);
  }
  if (typeof f.unit !== 'string' || f.unit === '') {
    throw new Error(`${where}: unit must be a non-empty string`);
  }
  if (f.baseline !== undefined && !(Number.isFinite(f.baseline) && f.baseline > 0)) {
    throw new Error(`${where}: baseline must be a positive finite number, got ${String(f.baseline)}`);
  }
}

/** The results.json key of a figure. */
export function figureKey(section: string, figure: string): string {
  return `${section}.${figure}`;
}

/** Turns the figures of one section into results.json entries (ratio = value / baseline). */
export function toEntries(section: string, figures: readonly Figure[]): Results {
  const out: Results = {};
  for (const f of figures) {
    validateFigure(section, f);
    const key = figureKey(section, f.name);
    if (key in out) throw new Error(`section '${section}' returned figure '${f.name}' twice`);
    const entry: ResultEntry = { value: roundValue(f.value), unit: f.unit };
    if (f.baseline !== undefined) {
      entry.baseline = roundValue(f.baseline);
      entry.ratio = roundRatio(f.value / f.baseline);
    }
    if (f.note !== undefined && f.note !== '') entry.note = f.note;
    out[key] = entry;
  }
  return out;
}

/**
 * Merges fresh entries into previous results: every previous entry of a section in `ranSections` is
 * dropped (so a renamed or removed figure does not linger), every other entry is kept. Keys are sorted.
 */
export function mergeResults(previous: Results, fresh: Results, ranSections: readonly string[]): Results {
  const ran = new Set(ranSections);
  const merged: Results = {};
  for (const [key, entry] of Object.entries(previous)) {
    const section = key.slice(0, key.indexOf('.'));
    if (!ran.has(section)) merged[key] = entry;
  }
  Object.assign(merged, fresh);
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isResultEntry(x: unknown): x is ResultEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return typeof e.value === 'number' && typeof e.unit === 'string';
}

/**
 * Reads a results file. A missing file gives `{}`; an unreadable or malformed one is an Error (so a
 * partial run never silently wipes other sections' figures).
 */
export async function readResults(path: URL): Promise<Results> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${fileURLToPath(path)} is not valid JSON; fix or delete it`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new Error(`${fileURLToPath(path)} must hold a JSON object; fix or delete it`);
  }
  const out: Results = {};
  for (const [key, entry] of Object.entries(doc)) {
    if (!key.includes('.') || !isResultEntry(entry)) {
      throw new Error(`${fileURLToPath(path)}: entry '${key}' is not '<section>.<figure>': { value, unit, ... }`);
    }
    out[key] = entry;
  }
  return out;
}

/** Writes a results file atomically (temp file + rename), pretty-printed with a final newline. */
export async function writeResults(path: URL, results: Results): Promise<void> {
  const tmp = new URL(`${path.href}.tmp-${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`, 'utf8');
  await rename(tmp, path);
}
