import { describe, expect, it } from 'vitest';
import type { ApplyOutcome } from '../../../../src/cli/ctl/apply-object.js';
import type { RunReport } from '../../../../src/cli/ctl/apply-run.js';
import { applySummary, deleteSummary, interruptedLine } from '../../../../src/cli/ctl/apply-summary.js';
import type { DeleteOutcome } from '../../../../src/cli/ctl/delete-object.js';

function report<O extends string>(counts: Partial<Record<O, number>>, extra: Partial<RunReport<O>> = {}): RunReport<O> {
  return { counts: new Map(Object.entries(counts) as [O, number][]), failures: [], interrupted: false, cut: [], notStarted: 0, ...extra };
}

describe('summaries', () => {
  it('apply: counts, or nothing to change', () => {
    expect(applySummary(report<ApplyOutcome>({ created: 2, updated: 1, unchanged: 5 }))).toBe('apply: 2 created, 1 updated, 5 unchanged, 0 failed\n');
    expect(applySummary(report<ApplyOutcome>({ unchanged: 8 }))).toBe('apply: nothing to change (8 objects unchanged)\n');
    expect(applySummary(report<ApplyOutcome>({ unchanged: 1 }))).toBe('apply: nothing to change (1 object unchanged)\n');
  });

  it('apply with failures lists them and says later kinds still ran', () => {
    const text = applySummary(report<ApplyOutcome>({ unchanged: 7, failed: 1 }, { failures: [{ title: 'App A/b/1', text: 'failed: NOT_FOUND: flavor x not found' }] }));
    expect(text).toBe([
      'apply: 0 created, 0 updated, 7 unchanged, 1 failed',
      '  App A/b/1: failed: NOT_FOUND: flavor x not found',
      '  later kinds were still applied; an object that needs a failed one was refused by the controller with the reason above',
      '',
    ].join('\n'));
  });

  it('delete: counts, or nothing to delete', () => {
    expect(deleteSummary(report<DeleteOutcome>({ deleted: 3, absent: 2 }))).toBe('delete: 3 deleted, 2 absent, 0 failed\n');
    expect(deleteSummary(report<DeleteOutcome>({ absent: 8 }))).toBe('delete: nothing to delete (8 objects absent)\n');
  });

  it('the interrupted line names what was under way', () => {
    const r = report<ApplyOutcome>({ created: 2 }, { interrupted: true, cut: [{ title: 'AppInst A/g/1 on TDG/b', step: 'state CREATING' }], notStarted: 3 });
    expect(interruptedLine('apply', r)).toBe('error: CANCELLED: apply interrupted: stopped AppInst A/g/1 on TDG/b (state CREATING); before that 2 created; 3 objects not started\n');
  });
});
