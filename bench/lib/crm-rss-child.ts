/**
 * Child process of the `crm` section's memory figures (spawned by `crm-rss-probe.ts`, never imported). It loads what a
 * CRM process on the fake platform loads (src/crm, platforms/fake) and nothing of the bench's server side. Modes:
 *
 *   bare                                    loads the modules, starts nothing, reports its memory and exits
 *   crm <notifyAddress> <cloudlet> <operator> <dataDir>
 *                                           starts a CRM (lmdb store in <dataDir>, fake platform without latency)
 *                                           against the parent's notify server, reports its memory once connected
 *                                           and synced, then waits for commands on stdin, one a line:
 *                                             measure <label>   waits for an empty workqueue and 1 s, reports its memory
 *                                             exit              stops the CRM and exits
 *
 * Every report is one stdout line `CRM_RSS <json>` (a {@link CrmChildReport}), taken after full GCs.
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

import { startRealCrm, type RealCrm } from './crm-start.js';
import { forceGc } from './gc.js';
import { memorySnapshot, type MemorySnapshot } from './memory.js';

/** One report of the child. */
export interface CrmChildReport {
  readonly label: string;
  readonly memory: MemorySnapshot;
  /**
   * V8's view (bytes): physical size of the heap, what V8 malloc'ed outside it, the young generation's size (it grows
   * under allocation bursts and shrinks only later), and the old generation's size and live part.
   */
  readonly v8: { readonly physical: number; readonly malloced: number; readonly newSpace: number; readonly oldSpace: number; readonly oldUsed: number };
  /** Whether a full GC could be forced before the snapshot. */
  readonly gc: boolean;
  /** Instances on the fake platform and its create calls so far (crm mode). */
  readonly platformAppInsts?: number;
  readonly platformClusterInsts?: number;
  readonly createAppInstCalls?: number;
  /** From the start of `startRealCrm` to connected, ready and synced (idle report). */
  readonly startMs?: number;
}

const MARK = 'CRM_RSS ';
/** Longest wait for the CRM (adopting 10k AppInsts takes ~15 s on an idle 2-core machine, minutes on a busy one). */
const CHILD_TIMEOUT_MS = 300_000;
/** Quiet time before a `measure` report, after the workqueue emptied. */
const QUIET_MS = 1_000;

function report(r: CrmChildReport): void {
  process.stdout.write(`${MARK}${JSON.stringify(r)}\n`);
}

/** Several full GCs with a turn of the event loop between them, so finalizers and freed pages settle. */
async function settle(): Promise<boolean> {
  let ran = false;
  for (let i = 0; i < 3; i++) {
    ran = forceGc() || ran;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return ran;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function v8Stats(): CrmChildReport['v8'] {
  const h = getHeapStatistics();
  const spaces = getHeapSpaceStatistics();
  const sum = (names: readonly string[], field: 'space_size' | 'space_used_size'): number =>
    spaces.filter((s) => names.includes(s.space_name)).reduce((n, s) => n + s[field], 0);
  const old = ['old_space', 'code_space', 'map_space', 'large_object_space', 'code_large_object_space'];
  return {
    physical: h.total_physical_size,
    malloced: h.malloced_memory,
    newSpace: sum(['new_space', 'new_large_object_space'], 'space_size'),
    oldSpace: sum(old, 'space_size'),
    oldUsed: sum(old, 'space_used_size'),
  };
}

function crmReport(label: string, crm: RealCrm, gc: boolean, extra: Partial<CrmChildReport> = {}): CrmChildReport {
  const instances = crm.platform.instances();
  return {
    label,
    memory: memorySnapshot(),
    v8: v8Stats(),
    gc,
    platformAppInsts: instances.filter((i) => i.kind === 'AppInst').length,
    platformClusterInsts: instances.filter((i) => i.kind === 'ClusterInst').length,
    createAppInstCalls: crm.platform.callCount('createAppInst'),
    ...extra,
  };
}

async function runCrm(notifyAddress: string, cloudlet: string, operator: string, dataDir: string): Promise<void> {
  const t0 = performance.now();
  const crm = await startRealCrm({ notifyAddress, cloudletKey: { operator_key: { name: operator }, name: cloudlet }, dataDir });
  try {
    await until(() => {
      const s = crm.crm.status();
      return s.ready && s.synced && s.queueDepth === 0;
    }, CHILD_TIMEOUT_MS, 'CRM ready, synced and idle');
    const startMs = performance.now() - t0;
    const gc = await settle();
    report(crmReport('idle', crm, gc, { startMs }));
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      const [command, label] = line.trim().split(/\s+/);
      if (command === 'exit') break;
      if (command === 'measure' && label !== undefined) {
        await until(() => crm.crm.status().queueDepth === 0, CHILD_TIMEOUT_MS, 'CRM workqueue empty');
        // The desired state is written behind in batches; give the last ones time to commit.
        await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
        await until(() => crm.crm.status().queueDepth === 0, CHILD_TIMEOUT_MS, 'CRM workqueue empty');
        report(crmReport(label, crm, await settle()));
      } else {
        throw new Error(`unknown command ${JSON.stringify(line)}`);
      }
    }
    lines.close();
  } finally {
    await crm.stop();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [mode, ...args] = argv;
  if (mode === 'bare' && args.length === 0) {
    const gc = await settle();
    report({ label: 'bare', memory: memorySnapshot(), v8: v8Stats(), gc });
    return;
  }
  if (mode === 'crm' && args.length === 4) {
    const [notifyAddress, cloudlet, operator, dataDir] = args as [string, string, string, string];
    await runCrm(notifyAddress, cloudlet, operator, dataDir);
    return;
  }
  throw new Error(`usage: crm-rss-child.ts bare | crm <notifyAddress> <cloudlet> <operator> <dataDir> (got ${argv.join(' ')})`);
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
