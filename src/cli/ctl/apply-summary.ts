/**
 * The last words of `apply -f` and `delete -f`: one summary line on standard output (`apply: 2 created, 1
 * updated, 5 unchanged, 0 failed`, or `apply: nothing to change (8 objects unchanged)`), the failed objects with
 * their reasons, and, after Ctrl-C, the line saying what was interrupted.
 */
import type { ApplyOutcome } from './apply-object.js';
import type { RunReport } from './apply-run.js';
import type { DeleteOutcome } from './delete-object.js';

function count<O extends string>(report: RunReport<O>, outcome: O): number {
  return report.counts.get(outcome) ?? 0;
}

const objects = (n: number): string => `${n} object${n === 1 ? '' : 's'}`;

/** Lines listing the failed objects, and what that means for the rest of the file. */
function failureLines<O extends string>(report: RunReport<O>, rest: string): string[] {
  if (report.failures.length === 0) return [];
  return [...report.failures.map((f) => `  ${f.title}: ${f.text}`), `  ${rest}`];
}

/** The summary of `apply -f` (see the module comment), ending with a newline. Pure. */
export function applySummary(report: RunReport<ApplyOutcome>): string {
  const created = count(report, 'created');
  const updated = count(report, 'updated');
  const unchanged = count(report, 'unchanged');
  const failed = count(report, 'failed');
  const head = created + updated + failed === 0
    ? `apply: nothing to change (${objects(unchanged)} unchanged)`
    : `apply: ${created} created, ${updated} updated, ${unchanged} unchanged, ${failed} failed`;
  const rest = 'later kinds were still applied; an object that needs a failed one was refused by the controller with the reason above';
  return [head, ...failureLines(report, rest)].join('\n') + '\n';
}

/** The summary of `delete -f` (see the module comment), ending with a newline. Pure. */
export function deleteSummary(report: RunReport<DeleteOutcome>): string {
  const deleted = count(report, 'deleted');
  const absent = count(report, 'absent');
  const failed = count(report, 'failed');
  const head = deleted + failed === 0
    ? `delete: nothing to delete (${objects(absent)} absent)`
    : `delete: ${deleted} deleted, ${absent} absent, ${failed} failed`;
  const rest = 'earlier kinds were still deleted; an object still used by a failed one was refused by the controller with the reason above';
  return [head, ...failureLines(report, rest)].join('\n') + '\n';
}

/**
 * The line after Ctrl-C: which objects were under way and at which step, how many had ended and how many were
 * not started. Pure.
 */
export function interruptedLine<O extends string>(verb: 'apply' | 'delete', report: RunReport<O>): string {
  const done = [...report.counts.entries()].filter(([, n]) => n > 0).map(([outcome, n]) => `${n} ${outcome}`);
  const cut = report.cut.map((c) => `${c.title} (${c.step})`);
  const parts = [
    cut.length > 0 ? `stopped ${cut.join(', ')}` : 'stopped between objects',
    done.length > 0 ? `before that ${done.join(', ')}` : 'nothing finished',
    ...(report.notStarted > 0 ? [`${objects(report.notStarted)} not started`] : []),
  ];
  return `error: CANCELLED: ${verb} interrupted: ${parts.join('; ')}\n`;
}
