/**
 * Runs one verb of a data file (`apply` or `delete`) over its objects: kinds in the given order, the objects of
 * one kind at once (bounded), each shown by the view the context asks for, and counts how each ended. Ctrl-C
 * (the context's signal) stops it: objects under way end as interrupted and later kinds are not started.
 */
import type { CtlContext } from './context.js';
import type { DataGroup, DataObject } from './data-file.js';
import type { ObjectResult } from './apply-object.js';
import { runLive, runPlain, type ViewGroup } from './apply-progress.js';

/** Objects of one kind handled at once. */
export const OBJECT_CONCURRENCY = 8;

/** An object that was under way when the run was interrupted: its title and its latest step. */
export interface InterruptedObject {
  readonly title: string;
  readonly step: string;
}

/** How a run went. */
export interface RunReport<O extends string> {
  /** How many objects ended with each outcome. */
  readonly counts: ReadonlyMap<O, number>;
  /** Objects that ended `failed`, with the text shown for them. */
  readonly failures: readonly { readonly title: string; readonly text: string }[];
  /** True when the context's signal aborted during the run. */
  readonly interrupted: boolean;
  /** Objects under way when the signal aborted. */
  readonly cut: readonly InterruptedObject[];
  /** Objects not started because the signal aborted first. */
  readonly notStarted: number;
}

/** Handles one object; resolves with its outcome, rejects only when the context's signal aborts. */
export type ObjectVerb<O extends string> = (ctx: CtlContext, object: DataObject, progress: (text: string) => void) => Promise<ObjectResult<O>>;

/**
 * Runs `verb` on every object of `groups` in that order (see the module comment) with the live view when
 * `ctx.interactive`, plain lines otherwise. Never rejects.
 */
export async function runObjects<O extends string>(ctx: CtlContext, groups: readonly DataGroup[], verb: ObjectVerb<O>, failedOutcome: O): Promise<RunReport<O>> {
  const counts = new Map<O, number>();
  const failures: { title: string; text: string }[] = [];
  const cut: InterruptedObject[] = [];
  let started = 0;
  const total = groups.reduce((n, g) => n + g.objects.length, 0);
  const view: ViewGroup[] = groups.map((group) => ({
    title: group.kind.plural,
    tasks: group.objects.map((object) => ({
      title: object.title,
      run: async (progress) => {
        if (ctx.signal.aborted) return { text: 'not started', failed: false };
        started++;
        let step = 'reading';
        try {
          const result = await verb(ctx, object, (text) => {
            step = text;
            progress(text);
          });
          counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
          const failed = result.outcome === failedOutcome;
          if (failed) failures.push({ title: object.title, text: result.text });
          return { text: result.text, failed };
        } catch {
          // Only an abort of the context's signal gets here.
          cut.push({ title: object.title, step });
          return { text: `interrupted (${step})`, failed: true };
        }
      },
    })),
  }));
  const options = { stderr: ctx.stderr, stdout: ctx.stdout, concurrency: OBJECT_CONCURRENCY, signal: ctx.signal };
  await (ctx.interactive ? runLive(view, options) : runPlain(view, options));
  return { counts, failures, interrupted: ctx.signal.aborted, cut, notStarted: total - started };
}
