/**
 * Bench runner.
 *
 *   npm run bench                      every section; bench/results.json is rewritten
 *   npm run bench -- wire [other...]   only those; their figures are merged into bench/results.json
 *   npm run bench -- --list            the registered sections
 *
 * Prints `section.figure | value | unit | baseline | ratio | note` to stdout (progress goes to stderr).
 * Exit codes: 0 ok, 1 a section failed (the others still ran and were written), 2 bad usage.
 */
import { formatTable } from './lib/table.js';
import { mergeResults, readResults, toEntries, writeResults } from './lib/results.js';
import { UnknownSectionError, selectSections, validateRegistry } from './lib/select.js';
import type { BenchContext, Results, Section } from './lib/types.js';
import { sections } from './sections/index.js';

const RESULTS_FILE = new URL('./results.json', import.meta.url);

const USAGE = `usage: npm run bench [-- <section>...]   (npm run bench -- --list shows the sections)`;

function listSections(all: readonly Section[]): string {
  const width = Math.max(...all.map((s) => s.name.length));
  return all.map((s) => `  ${s.name.padEnd(width)}  ${s.description}`).join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  validateRegistry(sections);

  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`${USAGE}\n\nsections:\n${listSections(sections)}`);
    return 0;
  }
  if (argv.includes('--list') || argv.includes('-l')) {
    console.log(listSections(sections));
    return 0;
  }
  const flag = argv.find((a) => a.startsWith('-'));
  if (flag !== undefined) {
    console.error(`unknown option '${flag}'\n${USAGE}`);
    return 2;
  }

  let selected: Section[];
  try {
    selected = selectSections(sections, argv);
  } catch (err) {
    if (err instanceof UnknownSectionError) {
      console.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const partial = argv.length > 0;

  // Read before measuring: a malformed file should stop us before minutes of benchmarking.
  const previous = partial ? await readResults(RESULTS_FILE) : {};

  const fresh: Results = {};
  const ran: string[] = [];
  const failed: string[] = [];
  for (const section of selected) {
    const ctx: BenchContext = { log: (m) => console.error(`[${section.name}] ${m}`) };
    const started = performance.now();
    ctx.log(`${section.description}`);
    try {
      const figures = await section.run(ctx);
      Object.assign(fresh, toEntries(section.name, figures));
      ran.push(section.name);
      ctx.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      failed.push(section.name);
      console.error(`[${section.name}] FAILED:`, err);
    }
  }

  // A failed section keeps its previous figures (it is not in `ran`); so does an unselected one.
  const results = mergeResults(partial ? previous : await readResultsForFailed(failed), fresh, ran);
  await writeResults(RESULTS_FILE, results);

  process.stdout.write(formatTable(fresh));
  console.error(`wrote ${ran.length} section(s) to bench/results.json`);
  if (failed.length > 0) {
    console.error(`failed section(s): ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

/**
 * On a full run the file is rewritten from scratch, except that sections that failed keep their previous
 * figures rather than vanishing.
 */
async function readResultsForFailed(failed: readonly string[]): Promise<Results> {
  if (failed.length === 0) return {};
  const previous = await readResults(RESULTS_FILE).catch((): Results => ({}));
  const keep = new Set(failed);
  return Object.fromEntries(Object.entries(previous).filter(([k]) => keep.has(k.slice(0, k.indexOf('.')))));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
