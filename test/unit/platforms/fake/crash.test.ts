/**
 * Crash safety of the fake platform's journal: a real child process is SIGKILLed in the middle of a slow create,
 * or in a stream of creates and deletes; a new FakePlatform on the same dir must list what was journaled
 * (the interrupted instance as `partial`), and completing or deleting it must work.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../helpers/wait-for.js';
import { REPO_ROOT } from '../../../helpers/controller-process.js';
import { openFake, opCtx, specs, tempDirs } from './fixtures/fake-specs.js';

const CHILD = fileURLToPath(new URL('./fixtures/fake-crash-child.ts', import.meta.url));
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** Runs the child in `mode` until `enough(lines)` holds, then SIGKILLs it; resolves to its stdout lines. */
async function runAndKill(mode: 'slow' | 'stream', dataDir: string, enough: (lines: string[]) => boolean): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dataDir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.on('exit', (code, signal) => (exit = { code, signal }));
  try {
    await waitFor(() => enough(lines) || exit !== undefined, { timeoutMs: 20_000, message: `${mode} child progress` });
    expect(exit, `child exited early: ${stderr}`).toBeUndefined();
  } finally {
    child.kill('SIGKILL');
  }
  await waitFor(() => exit, { timeoutMs: 10_000, message: 'child exit' });
  expect(exit?.signal).toBe('SIGKILL');
  return lines;
}

describe('FakePlatform after kill -9', () => {
  it('lists an AppInst killed mid-create as partial; create completes it, delete removes it', async () => {
    const dataDir = dirs.make();
    const lines = await runAndKill('slow', dataDir, (l) => l.some((x) => x.startsWith('started ')));
    const [, clusterKey, appKey] = /^started (\S+) (\S+)$/.exec(lines.find((l) => l.startsWith('started ')) ?? '') ?? [];
    const cluster = specs.cluster('crash');
    const app = specs.app('crash', cluster.clusterInst);
    expect([clusterKey, appKey]).toEqual([cluster.key, app.key]);

    const p = await openFake(dataDir);
    try {
      const listed = await p.listInstances(opCtx());
      expect(listed).toEqual([
        { kind: 'ClusterInst', key: cluster.key, status: 'ready', numNodes: 1 },
        { kind: 'AppInst', key: app.key, status: 'partial', detail: 'creating', runtime: { containerIds: [expect.stringMatching(/^fake-/)] } },
      ]);
      const runtime = await p.createAppInst(app, opCtx());
      expect(runtime.containerIds).toEqual(listed[1]?.runtime?.containerIds);
      expect((await p.listInstances(opCtx())).map((i) => i.status)).toEqual(['ready', 'ready']);
      await p.deleteAppInst({ key: app.key }, opCtx());
      await p.deleteClusterInst({ key: cluster.key }, opCtx());
      expect(await p.listInstances(opCtx())).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('keeps every completed create and delete of a stream of mutations, whenever the kill comes (twice on one dir)', async () => {
    const dataDir = dirs.make();
    for (let round = 0; round < 2; round++) {
      const lines = await runAndKill('stream', dataDir, (l) => l.length >= 50 + round * 20);
      const created = lines.map(Number);
      const p = await openFake(dataDir);
      try {
        const byKey = new Map(p.instances().map((i) => [i.key, i.status]));
        const last = created.at(-1);
        for (const n of created) {
          const status = byKey.get(specs.cluster(`c-${n}`).key) ?? 'gone';
          // A create that resolved is journaled ready; every third one is deleted right after it resolved, and
          // that delete finished before the next create started, except perhaps for the last one printed.
          if (n % 3 !== 0) expect(status, `c-${n}`).toBe('ready');
          else if (n !== last) expect(status, `c-${n}`).toBe('gone');
        }
        expect(p.instances().filter((i) => i.status === 'partial').length).toBeLessThanOrEqual(1);
      } finally {
        await p.close();
      }
    }
  });
});
