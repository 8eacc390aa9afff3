/**
 * The live progress of `cloudletd up` (listr2), the log sink that keeps component logs from garbling it, and the
 * summary printed once everything is READY. What each step does is given by the caller ({@link UpPlan}); this
 * module only runs the steps in order, shows them and decides which failures are fatal.
 */
import { Listr, ListrLogger, PRESET_TIMER, type ListrTask } from 'listr2';
import { linkSignals } from '../core/abort.js';
import { asCodedError, type CodedError } from '../core/errors.js';
import { prettyLine, type LogDestination } from '../core/log-pretty.js';
import type { ApiClient } from './api-client.js';
import { dmeCurlExample } from './demo-dme.js';
import type { CloudletInstances, SeedContext, SeedGroup, SeedItem, SeedOutcome } from './demo-seed.js';

/** One cloudlet of the plan: its CRM and, with --demo, the instances to create on it. */
export interface CloudletPlan {
  /** `OPERATOR/NAME`. */
  readonly label: string;
  /** Starts the CRM and resolves once it is ready and the controller holds its CloudletInfo READY. Fatal on failure. */
  startCrm(signal: AbortSignal, progress: (message: string) => void): Promise<void>;
  readonly instances: CloudletInstances | undefined;
}

/** Everything `up` does at start, in order. */
export interface UpPlan {
  /** Starts the controller; resolves to the task's final title. Fatal on failure. */
  startController(signal: AbortSignal): Promise<string>;
  /** Starts the metrics server; resolves to the task's final title. Fatal on failure. */
  startMetrics(signal: AbortSignal): Promise<string>;
  /**
   * Starts the DME and resolves, with the task's final title, once it has the controller's full send-all. Fatal
   * on failure.
   */
  startDme(signal: AbortSignal, progress: (message: string) => void): Promise<string>;
  /** The demo catalog (empty without --demo); a failure here skips the demo instances. */
  readonly catalog: readonly SeedGroup[];
  readonly cloudlets: readonly CloudletPlan[];
  /**
   * Checks run last, when every demo step succeeded (e.g. that the DME finds the demo app): each resolves to its
   * final title. A failure is listed like a failed demo step; checks are not counted as objects.
   */
  readonly checks: readonly CheckItem[];
  /** The API client, available once the controller started. */
  api(): ApiClient;
  /** Deadline of each seed step. */
  readonly stepTimeoutMs: number;
}

/** A check of what was started (see {@link UpPlan.checks}). */
export interface CheckItem {
  readonly title: string;
  /** Resolves to the step's final title; rejects with what is wrong. */
  run(ctx: SeedContext): Promise<string>;
}

/** A seed step that ended in error (the rest went on). */
export interface StepFailure {
  readonly title: string;
  readonly error: CodedError;
}

/** How the start went when nothing fatal happened. */
export interface ProgressOutcome {
  readonly created: number;
  readonly existing: number;
  readonly failures: readonly StepFailure[];
}

/** Options of {@link runProgress}. */
export interface ProgressOptions {
  /** Live, redrawn progress (a terminal, logs elsewhere); false: one line per event, safe for pipes and CI logs. */
  readonly interactive: boolean;
  /** Shutdown: every step stops. */
  readonly signal: AbortSignal;
}

type Task = ListrTask<undefined>;

/**
 * Runs the plan with listr2: controller, metrics server, DME (until synced), demo catalog (groups in order, items
 * of a group at once), then every cloudlet at once (its CRM, then its ClusterInsts and AppInsts one after the
 * other), then the checks (only when no demo step failed). Each step ends in a definite state with a deadline. A
 * controller, metrics, DME or CRM failure is fatal: every other step is aborted
 * and this rejects with that error. A seed step failure is not: it is shown, the steps that depend on it are
 * skipped, and it is listed in the outcome. Rejects with the signal's reason when it aborts.
 */
export async function runProgress(plan: UpPlan, options: ProgressOptions): Promise<ProgressOutcome> {
  const fatal = new AbortController();
  const signal = linkSignals(options.signal, fatal.signal);
  let fatalError: CodedError | undefined;
  const failures: StepFailure[] = [];
  let created = 0;
  let existing = 0;
  let catalogFailed = false;

  /** Runs a step whose failure stops everything; stopped by shutdown or another fatal step, it shows as skipped. */
  const fatalStep = async (task: { skip(message?: string): void }, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      if (signal.aborted) {
        task.skip('stopped');
        return;
      }
      const coded = asCodedError(err);
      fatalError = coded;
      fatal.abort(coded);
      throw coded;
    }
  };

  const seedTask = (item: SeedItem, instance: boolean, skip?: () => string | false): Task => ({
    title: item.title,
    skip: () => (signal.aborted ? 'stopped' : skip?.() ?? false),
    task: async (_ctx, task) => {
      const ctx: SeedContext = {
        api: plan.api(),
        signal,
        timeoutMs: plan.stepTimeoutMs,
        progress: (message) => {
          task.output = message;
        },
      };
      let outcome: SeedOutcome;
      try {
        outcome = await item.run(ctx);
      } catch (err) {
        if (signal.aborted) {
          // Shutdown, or another step failed fatally: that is the news, not this step.
          task.skip('stopped');
          return;
        }
        const error = asCodedError(err);
        failures.push({ title: item.title, error });
        throw new Error(`${error.code}: ${error.message}`);
      }
      if (outcome === 'created') created++;
      else existing++;
      const state = instance ? ' READY' : '';
      task.title = `${item.title}${state}${outcome === 'existing' ? ' (existing)' : ''}`;
    },
  });

  const groupTask = (group: SeedGroup): Task => ({
    title: group.title,
    task: async (_ctx, task) => {
      const before = failures.length;
      await task.newListr(group.items.map((item) => seedTask(item, false)), { concurrent: true, exitOnError: false }).run();
      if (failures.length > before) {
        catalogFailed = true;
        throw new Error(`${failures.length - before} of ${group.items.length} ${group.title} failed`);
      }
    },
  });

  const cloudletTask = (cloudlet: CloudletPlan): Task => ({
    title: `cloudlet ${cloudlet.label}`,
    skip: () => (signal.aborted ? 'stopped' : false),
    task: async (_ctx, task) => {
      let crmReady = false;
      let clustersReady = true;
      const instances = cloudlet.instances;
      const skipInstances = (): string | false => {
        if (!crmReady) return 'CRM not ready';
        if (catalogFailed) return 'demo catalog incomplete';
        return false;
      };
      const subtasks: Task[] = [{
        title: `CRM ${cloudlet.label}`,
        task: (_c, t) => fatalStep(t, async () => {
          await cloudlet.startCrm(signal, (message) => {
            t.output = message;
          });
          crmReady = true;
          t.title = `CRM ${cloudlet.label} ready`;
        }),
      }];
      for (const ci of instances?.clusterInsts ?? []) {
        const item: SeedItem = {
          title: ci.title,
          run: async (ctx) => {
            try {
              return await ci.run(ctx);
            } catch (err) {
              clustersReady = false;
              throw err;
            }
          },
        };
        subtasks.push(seedTask(item, true, skipInstances));
      }
      for (const ai of instances?.appInsts ?? []) {
        subtasks.push(seedTask(ai, true, () => skipInstances() || (clustersReady ? false : 'ClusterInst not READY')));
      }
      await task.newListr(subtasks, { concurrent: false, exitOnError: false }).run();
      if (signal.aborted) {
        task.skip('stopped');
        return;
      }
      if (!crmReady) throw new Error(`CRM ${cloudlet.label} not started`);
      // Cloudlets run at once, so count this cloudlet's failures by their titles.
      const mine = new Set([...(instances?.clusterInsts ?? []), ...(instances?.appInsts ?? [])].map((i) => i.title));
      const failed = failures.filter((f) => mine.has(f.title)).length;
      if (failed > 0) throw new Error(`${failed} step(s) failed`);
    },
  });

  const stopped = (): string | false => (signal.aborted ? 'stopped' : false);
  const tasks: Task[] = [
    { title: 'controller', skip: stopped, task: (_ctx, task) => fatalStep(task, async () => { task.title = await plan.startController(signal); }) },
    { title: 'metrics', skip: stopped, task: (_ctx, task) => fatalStep(task, async () => { task.title = await plan.startMetrics(signal); }) },
    {
      title: 'DME',
      skip: stopped,
      task: (_ctx, task) => fatalStep(task, async () => {
        task.title = await plan.startDme(signal, (message) => {
          task.output = message;
        });
      }),
    },
  ];
  if (plan.catalog.length > 0) {
    tasks.push({
      title: 'seed demo data',
      skip: stopped,
      task: (_ctx, task) => task.newListr(plan.catalog.map(groupTask), { concurrent: false, exitOnError: true }),
    });
  }
  if (plan.cloudlets.length > 0) {
    tasks.push({
      title: plan.catalog.length > 0 ? 'CRMs and demo instances' : 'CRMs',
      skip: stopped,
      task: (_ctx, task) => task.newListr(plan.cloudlets.map(cloudletTask), { concurrent: true, exitOnError: false }),
    });
  }

  for (const check of plan.checks) {
    tasks.push({
      title: check.title,
      skip: () => stopped() || (failures.length > 0 ? 'a demo step failed' : false),
      task: async (_ctx, task) => {
        const ctx: SeedContext = {
          api: plan.api(),
          signal,
          timeoutMs: plan.stepTimeoutMs,
          progress: (message) => {
            task.output = message;
          },
        };
        try {
          task.title = await check.run(ctx);
        } catch (err) {
          if (signal.aborted) {
            task.skip('stopped');
            return;
          }
          const error = asCodedError(err);
          failures.push({ title: check.title, error });
          throw new Error(`${error.code}: ${error.message}`);
        }
      },
    });
  }

  const listr = new Listr<undefined>(tasks, {
    renderer: 'default',
    rendererOptions: { collapseSubtasks: false, showErrorMessage: true, timer: PRESET_TIMER },
    fallbackRenderer: 'simple',
    // One line per event, all on stdout in the order they happen (failures included), so a log file or a CI log
    // reads top to bottom; stderr is left to the final one-line error.
    fallbackRendererOptions: { timer: PRESET_TIMER, logger: new ListrLogger({ useIcons: true, toStderr: [] }) },
    fallbackRendererCondition: !options.interactive,
    // The cli owns SIGINT/SIGTERM (the root signal); listr's own handler would exit the process.
    registerSignalListeners: false,
    // Fatal steps abort `signal`, which skips or stops everything after them; a failed catalog must not keep
    // the CRMs from starting.
    exitOnError: false,
  });
  try {
    await listr.run();
  } catch {
    // Shown by the renderer; what counts is decided below.
  }
  if (options.signal.aborted) throw options.signal.reason;
  if (fatalError) throw fatalError;
  return { created, existing, failures };
}

/** Levels shown outside the log file: pino's JSON records start with their level label. */
const WARNING = /^\{"level":"(warn|error|fatal)"/;

/** Warnings kept while the progress is displayed; later ones are only counted. */
const MAX_HELD = 50;

/**
 * Where component logs go while `up` runs without `--log-format`: every record to `file` (JSON lines), and
 * warnings and errors also to `warnings` (standard error) as pretty lines. Until {@link LogSink.release} (the
 * progress is being shown) warnings are kept, at most 50, so that they neither garble the progress nor bury a
 * failed start's one-line error; afterwards they go out at once.
 */
export class LogSink implements LogDestination {
  private held: string[] | undefined = [];
  private dropped = 0;

  constructor(private readonly file: LogDestination, private readonly warnings: NodeJS.WritableStream) {}

  write(line: string): void {
    this.file.write(line);
    if (!WARNING.test(line)) return;
    const pretty = prettyLine(line);
    if (!this.held) this.warnings.write(pretty);
    else if (this.held.length < MAX_HELD) this.held.push(pretty);
    else this.dropped++;
  }

  /**
   * Stops holding: writes the held warnings (and how many were left out) unless `discard`, then passes warnings
   * through. Returns how many were held. Idempotent.
   */
  release(logFile: string, discard = false): number {
    const held = this.held;
    this.held = undefined;
    if (!held || held.length === 0 || discard) return (held?.length ?? 0) + this.dropped;
    this.warnings.write(`${held.length + this.dropped} warning(s) while starting (all logs: ${logFile}):\n`);
    for (const line of held) this.warnings.write(line);
    if (this.dropped > 0) this.warnings.write(`... and ${this.dropped} more in ${logFile}\n`);
    return held.length + this.dropped;
  }
}

/** What the summary reports. */
export interface SummaryInfo {
  /** Bound addresses (`host:port`, actual ports). */
  readonly apiAddress: string;
  readonly notifyAddress: string;
  /** Base URL of the controller's REST gateway as a local client dials it, e.g. `http://127.0.0.1:36001`. */
  readonly httpUrl: string;
  /** Base URL of the metrics server, e.g. `http://127.0.0.1:9091`. */
  readonly metricsUrl: string;
  /** The DME's bound gRPC address (`host:port`). */
  readonly dmeApiAddress: string;
  /** Base URL of the DME's REST gateway as a local client dials it, e.g. `http://127.0.0.1:38001`. */
  readonly dmeHttpUrl: string;
  /** Absolute data directory. */
  readonly dataDir: string;
  /** The log file, when component logs go to one. */
  readonly logFile: string | undefined;
  /** `OPERATOR/NAME` of each cloudlet with a CRM. */
  readonly cloudlets: readonly string[];
  readonly demo: boolean;
  readonly outcome: ProgressOutcome;
}

/**
 * The text printed once everything started: its first line starts with `cloudletd is up` and names the bound
 * API, notify, metrics and DME addresses (tests read the ports from it); then where things are, commands to try
 * that work with this version (with the demo, the DME's RegisterClient and FindCloudlet as curl commands), how to
 * stop. Failed seed steps are listed. Pure.
 */
export function formatSummary(info: SummaryInfo): string {
  const { outcome } = info;
  const failed = outcome.failures.length;
  const head =
    `cloudletd is up${failed > 0 ? `, but ${failed} demo step(s) failed` : ''}: controller API ${info.apiAddress}, notify ${info.notifyAddress}, ` +
    `metrics ${info.metricsUrl}/metrics, DME gRPC ${info.dmeApiAddress}, DME REST ${info.dmeHttpUrl}, controller REST ${info.httpUrl}`;
  const lines = [
    '',
    head,
    '',
    `  controller API  ${info.apiAddress}   gRPC, every edgeproto service (edgeproto.AppInstApi, ...)`,
    `  controller REST ${info.httpUrl}   POST /create/app, /show/appinst, ... (JSON; streams as NDJSON)`,
    `  notify          ${info.notifyAddress}   connected from this process: the DME, CRMs ${info.cloudlets.join(', ') || 'none'}`,
    `  DME API         ${info.dmeApiAddress}   gRPC distributed_match_engine.MatchEngineApi (RegisterClient, FindCloudlet, ...)`,
    `  DME REST        ${info.dmeHttpUrl}   POST /v1/registerclient, /v1/findcloudlet, ... (JSON)`,
    `  metrics         ${info.metricsUrl}/metrics   (also /healthz and /readyz)`,
    `  data            ${info.dataDir}${info.logFile ? `   (logs: ${info.logFile})` : ''}`,
  ];
  if (info.demo) {
    const steps = outcome.created + outcome.existing;
    lines.push(`  demo data       ${steps} objects: ${outcome.created} created now, ${outcome.existing} already there`);
  }
  if (failed > 0) {
    lines.push('', 'failed:');
    for (const f of outcome.failures) lines.push(`  ${f.title}: ${f.error.code}: ${f.error.message}`);
  }
  lines.push(
    '',
    'try:',
    `  curl -s -X POST ${info.httpUrl}/show/cloudlet -d '{}'`,
    `  curl -s ${info.metricsUrl}/metrics | grep cloudletd_crm_ready`,
    `  grpcurl -plaintext -import-path proto -proto edgeproto/app_inst.proto -d '{}' ${info.apiAddress} edgeproto.AppInstApi/ShowAppInst`,
    '      (grpcurl is a separate tool; run it in the repository root, where proto/ is)',
    ...(info.demo && info.cloudlets.length > 0
      ? [
          '  # the DME: register as the demo app (AcmeGames arena-server 1.4.2), then find its nearest instance from Berlin',
          ...dmeCurlExample(info.dmeHttpUrl).map((line) => `  ${line}`),
          '      (jq is a separate tool; the second command needs the cookie the first one kept in $COOKIE)',
        ]
      : []),
    '',
    `Ctrl-C stops everything; the next start resumes from ${info.dataDir}.`,
    '',
  );
  return lines.join('\n');
}
