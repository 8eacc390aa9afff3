/**
 * How `apply -f` and `delete -f` show their progress: live with listr2 on a terminal (one line per object with its
 * latest Result text or state, kinds one after the other), or one plain line per object outcome otherwise (pipes,
 * CI logs). Both run the tasks they are given, a bounded number of one group at once, groups in order; what a task
 * does and how it ended is the caller's.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';

/** How one task ended: its outcome text (`created`, `failed: ...`) and whether it counts as a failure. */
export interface TaskEnd {
  readonly text: string;
  readonly failed: boolean;
}

/** One object's work. `progress` shows its latest step; it resolves with how it ended and never rejects. */
export interface ViewTask {
  readonly title: string;
  run(progress: (text: string) => void): Promise<TaskEnd>;
}

/** Tasks run together (one kind); groups run one after the other. */
export interface ViewGroup {
  readonly title: string;
  readonly tasks: readonly ViewTask[];
}

/** Options of a view. */
export interface ViewOptions {
  /** Where progress is shown (the ctl's standard error). */
  readonly stderr: NodeJS.WritableStream;
  /** Where results go; held back while the live display runs. */
  readonly stdout: NodeJS.WritableStream;
  /** At most this many tasks of a group run at once. */
  readonly concurrency: number;
  /** Once aborted, groups not started yet are not started. */
  readonly signal: AbortSignal;
}

/** Runs `tasks` with at most `limit` at once; resolves when all have ended. */
async function pool(tasks: readonly ViewTask[], limit: number, runOne: (task: ViewTask) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task) await runOne(task);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
}

/** Plain view: a line `<title>: <outcome>` on standard error as each task ends. */
export async function runPlain(groups: readonly ViewGroup[], options: ViewOptions): Promise<void> {
  for (const group of groups) {
    if (options.signal.aborted) return;
    await pool(group.tasks, options.concurrency, async (task) => {
      const end = await task.run(() => undefined);
      options.stderr.write(`${task.title}: ${end.text}\n`);
    });
  }
}

type Task = ListrTask<undefined>;

/** Live view (listr2) on standard error: a tree of kinds and their objects, each with its latest step. */
export async function runLive(groups: readonly ViewGroup[], options: ViewOptions): Promise<void> {
  const objectTask = (view: ViewTask): Task => ({
    title: view.title,
    task: async (_ctx, task) => {
      const end = await view.run((text) => {
        task.output = text;
      });
      task.title = `${view.title}: ${end.text}`;
      if (end.failed) throw new Error(end.text);
    },
  });
  const tasks: Task[] = groups.map((group) => ({
    title: group.title,
    skip: () => (options.signal.aborted ? 'interrupted' : false),
    task: (_ctx, task) => task.newListr(group.tasks.map(objectTask), { concurrent: options.concurrency, exitOnError: false }),
  }));
  // The display goes to standard error; anything written to standard output meanwhile is held and shown after it.
  const processOutput = new ProcessOutput(options.stderr as NodeJS.WriteStream, options.stdout as NodeJS.WriteStream);
  const logger = new ListrLogger({ useIcons: true, toStderr: [], processOutput });
  const listr = new Listr<undefined>(tasks, {
    renderer: 'default',
    rendererOptions: { collapseSubtasks: false, showErrorMessage: false, logger },
    // listr draws live only when the process's standard output is a terminal too; otherwise it prints a line per
    // event, on the same stream.
    fallbackRenderer: 'simple',
    fallbackRendererOptions: { logger },
    // The ctl owns SIGINT/SIGTERM (its signal); listr's own handler would exit the process.
    registerSignalListeners: false,
    exitOnError: false,
  });
  try {
    await listr.run();
  } catch {
    // Each failure is shown in its line and reported by the caller.
  }
}
