/**
 * Plain-text table of results: `section.figure | value | unit | baseline | ratio | note`.
 */
import type { Results } from './types.js';

const HEADER = ['figure', 'value', 'unit', 'baseline', 'ratio', 'note'] as const;
/** Columns aligned to the right (numbers). */
const RIGHT = new Set([1, 3, 4]);

/** Formats a number with thousands separators, e.g. 123456.7 -> `123,456.7`. */
export function formatNumber(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

/** Renders the entries (in key order) as an aligned table, one line per figure, ending with a newline. */
export function formatTable(results: Results): string {
  const rows: string[][] = Object.entries(results).map(([key, e]) => [
    key,
    formatNumber(e.value),
    e.unit,
    e.baseline === undefined ? '-' : formatNumber(e.baseline),
    e.ratio === undefined ? '-' : e.ratio.toFixed(2),
    e.note ?? '',
  ]);
  const all = [[...HEADER], ...rows];
  const widths = HEADER.map((_, col) => Math.max(...all.map((r) => (r[col] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, col) => {
        const w = widths[col] ?? 0;
        return RIGHT.has(col) ? cell.padStart(w) : cell.padEnd(w);
      })
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(all[0]!), rule, ...rows.map(line)].join('\n') + '\n';
}
