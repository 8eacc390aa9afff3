/**
 * `cloudletd ctl apply -f FILE` and `cloudletd ctl delete -f FILE`: make the controller hold the objects of a data
 * file (YAML or JSON, `-` for standard input), or remove them. See `data-file.ts` for the file, `apply-object.ts`
 * and `delete-object.ts` for what happens to each object, `apply-run.ts` for the order and the progress.
 */
import { Code } from '../../core/errors.js';
import { applyObject } from './apply-object.js';
import { runObjects, type RunReport } from './apply-run.js';
import { applySummary, deleteSummary, interruptedLine } from './apply-summary.js';
import { CTL_EXIT, type CtlContext } from './context.js';
import { readDataFile, type DataFile } from './data-file.js';
import { deleteObject } from './delete-object.js';

/**
 * The checked file, or the exit code after its one-line error on stderr: `error: <file>: <place>: <reason>` (2),
 * or `error: CANCELLED: ...` after Ctrl-C while reading (1).
 */
async function load(ctx: CtlContext, verb: 'apply' | 'delete', path: string): Promise<DataFile | number> {
  try {
    return await readDataFile(path, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.stderr.write(`error: ${Code.CANCELLED}: ${verb} interrupted while reading ${path === '-' ? 'stdin' : path}\n`);
      return CTL_EXIT.apiError;
    }
    ctx.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return CTL_EXIT.usage;
  }
}

/** Writes the end of a run and gives its exit code: 0 when nothing failed or was interrupted, else 1. */
function finish<O extends string>(ctx: CtlContext, verb: 'apply' | 'delete', report: RunReport<O>, summary: string): number {
  if (report.interrupted) {
    ctx.stderr.write(interruptedLine(verb, report));
    return CTL_EXIT.apiError;
  }
  ctx.stdout.write(summary);
  return report.failures.length > 0 ? CTL_EXIT.apiError : CTL_EXIT.ok;
}

/**
 * Applies data file `path`: kinds in dependency order, each object created when absent, updated in exactly the
 * fields that differ when present, else left unchanged; ClusterInsts and AppInsts followed until READY. Prints
 * progress on `ctx.stderr` and the summary on `ctx.stdout`. Resolves with the exit code: 0 all done, 1 an object
 * failed or Ctrl-C, 2 the file is unreadable or invalid (then nothing was sent).
 */
export async function applyFile(ctx: CtlContext, path: string): Promise<number> {
  const file = await load(ctx, 'apply', path);
  if (typeof file === 'number') return file;
  const report = await runObjects(ctx, file.groups, applyObject, 'failed');
  return finish(ctx, 'apply', report, applySummary(report));
}

/**
 * Deletes the objects of data file `path`: kinds in reverse dependency order, each present object deleted (and,
 * for ClusterInsts and AppInsts, waited for until gone), absent ones counted as such. Output and exit codes as
 * {@link applyFile}.
 */
export async function deleteFile(ctx: CtlContext, path: string): Promise<number> {
  const file = await load(ctx, 'delete', path);
  if (typeof file === 'number') return file;
  const report = await runObjects(ctx, [...file.groups].reverse(), deleteObject, 'failed');
  return finish(ctx, 'delete', report, deleteSummary(report));
}
