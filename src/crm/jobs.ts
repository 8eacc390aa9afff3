import { Cron } from 'croner';
import type { Logger } from '../core/logger.js';
import type { CrmMetrics } from './metrics.js';

/** A periodic job: `run` gets a signal that aborts when the jobs stop. */
export interface JobSpec {
  readonly name: 'refresh_info' | 'drift' | 'runtime';
  readonly schedule: string;
  readonly run: (signal: AbortSignal) => Promise<void>;
}

/**
 * The CRM's periodic jobs on croner schedules, with overrun protection: a run that is still going when the next
 * one is due makes that one skip (counted in `cloudletd_crm_job_overruns_total`), never two at once. Errors are
 * logged and counted, never thrown. `stop()` stops the schedules, aborts running jobs and waits for them.
 */
export class PeriodicJobs {
  private readonly crons: Cron[] = [];
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly metrics: CrmMetrics, private readonly log: Logger) {}

  /** Schedules a job. Throws INVALID_ARGUMENT-like croner errors for a bad pattern (validated earlier by the cli). */
  add(spec: JobSpec): void {
    const cron = new Cron(spec.schedule, {
      protect: () => {
        this.metrics.jobOverruns.inc({ job: spec.name });
        this.log.debug({ job: spec.name }, 'job still running, run skipped');
      },
      unref: true,
    }, () => this.runOnce(spec));
    this.crons.push(cron);
  }

  /** Runs a job now, outside its schedule (start-up, tests). Resolves when it ends. */
  runOnce(spec: JobSpec): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    const started = performance.now();
    const run = spec.run(this.abort.signal).then(
      () => {
        this.metrics.jobRuns.inc({ job: spec.name, result: 'success' });
        this.log.debug({ job: spec.name, ms: Math.round(performance.now() - started) }, 'job done');
      },
      (err: unknown) => {
        if (this.abort.signal.aborted) return;
        this.metrics.jobRuns.inc({ job: spec.name, result: 'error' });
        this.log.warn({ job: spec.name, err }, 'job failed');
      },
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  async stop(): Promise<void> {
    for (const cron of this.crons.splice(0)) cron.stop();
    this.abort.abort();
    await Promise.all([...this.running]);
  }
}
