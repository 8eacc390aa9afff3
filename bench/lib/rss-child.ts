/**
 * Child process of the `controller` section's memory figure (spawned by `rss-probe.ts`, never imported): starts a
 * Controller with the lmdb store, optionally stores AppInsts, runs full GCs and prints one line
 * `RSS_RESULT <json>` (a {@link ChildReport}) to stdout. Modes:
 *
 *   empty                  a fresh, empty controller
 *   seeded <count> <dir>   a controller on the empty directory <dir>, measured empty, then after storing <count>
 *                          AppInsts (batches of 100); <dir> is left in place (the parent removes it)
 *   reopen <count> <dir>   a controller opening <dir> (which holds <count> AppInsts), measured after the load
 */
import { performance } from 'node:perf_hooks';

import { forceGc } from './gc.js';
import { memorySnapshot, type MemorySnapshot } from './memory.js';
import { seedAppInsts, startController, until } from './controller-fixtures.js';

/** What the child prints. */
export interface ChildReport {
  readonly mode: string;
  /** After start (empty store, or after loading the reopened one). */
  readonly started: MemorySnapshot;
  /** After seeding (`seeded` only). */
  readonly seeded?: MemorySnapshot;
  readonly appInsts: number;
  readonly seedMs?: number;
  readonly seedTxns?: number;
  readonly startMs: number;
  readonly dataDir: string;
  readonly gc: boolean;
}

/** Several full GCs with a turn of the event loop between them, so finalizers and freed pages settle. */
async function settle(): Promise<boolean> {
  let ran = false;
  for (let i = 0; i < 3; i++) {
    ran = forceGc() || ran;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return ran;
}

async function main(argv: readonly string[]): Promise<ChildReport> {
  const [mode, countArg, dirArg] = argv;
  const count = Number(countArg ?? 0);
  const t0 = performance.now();
  if (mode === 'empty') {
    const ctl = await startController({ store: 'lmdb' });
    const startMs = performance.now() - t0;
    const gc = await settle();
    const started = memorySnapshot();
    await ctl.close();
    return { mode, started, appInsts: ctl.controller.objects.cache(ctl.controller.kinds.appInst).size, startMs, dataDir: ctl.dataDir, gc };
  }
  if (mode === 'seeded' && dirArg !== undefined) {
    const ctl = await startController({ store: 'lmdb', dataDir: dirArg });
    const startMs = performance.now() - t0;
    await settle();
    const started = memorySnapshot();
    const s0 = performance.now();
    const seedTxns = await seedAppInsts(ctl.controller, count);
    const seedMs = performance.now() - s0;
    const appInsts = ctl.controller.objects.cache(ctl.controller.kinds.appInst).size;
    if (appInsts !== count) throw new Error(`seeded ${appInsts} AppInsts, expected ${count}`);
    const gc = await settle();
    const seeded = memorySnapshot();
    await ctl.close();
    return { mode, started, seeded, appInsts, seedMs, seedTxns, startMs, dataDir: ctl.dataDir, gc };
  }
  if (mode === 'reopen' && dirArg !== undefined) {
    const ctl = await startController({ store: 'lmdb', dataDir: dirArg });
    const startMs = performance.now() - t0;
    const cache = ctl.controller.objects.cache(ctl.controller.kinds.appInst);
    await until(() => cache.size === count, 1000, `reopened store with ${count} AppInsts`);
    const gc = await settle();
    const started = memorySnapshot();
    await ctl.close();
    return { mode, started, appInsts: cache.size, startMs, dataDir: dirArg, gc };
  }
  throw new Error(`usage: rss-child.ts empty | seeded <count> <dir> | reopen <count> <dir> (got ${argv.join(' ')})`);
}

main(process.argv.slice(2)).then(
  (report) => {
    process.stdout.write(`RSS_RESULT ${JSON.stringify(report)}\n`);
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
