/**
 * Crash safety of the LMDB backend: a real child process commits pairs of keys in a tight loop and is killed
 * with SIGKILL mid-stream; the reopened store must hold every pair whose commit was reported, no half pair, and
 * a revision that matches its contents. Several rounds append to the same directory.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbStore, type KV } from '../../../src/store/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const tmpRoot = await mkdtemp(join(tmpdir(), 'cloudletd-crash-'));
afterAll(async () => {
  await rm(tmpRoot, { recursive: true, force: true });
});

interface Round {
  printed: number[];
  signal: NodeJS.Signals | null;
}

/** Runs the writer until it has printed `atLeast` more commits, then SIGKILLs it. */
async function writeAndKill(dataDir: string, concurrency: number, atLeast: number): Promise<Round> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, String(concurrency)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed: number[] = [];
  let partial = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) printed.push(Number(line));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.on('exit', (code, signal) => (exit = { code, signal }));
  try {
    await waitFor(() => printed.length >= atLeast || exit !== undefined, { timeoutMs: 30_000, message: 'writer progress' });
    expect(exit, `writer exited early: ${stderr}`).toBeUndefined();
  } finally {
    child.kill('SIGKILL');
  }
  await waitFor(() => exit, { timeoutMs: 10_000, message: 'writer exit' });
  return { printed, signal: exit?.signal ?? null };
}

const nOf = (kv: KV): number => Number(kv.key.slice(2));

/** Reopens the store and checks it against what the writer reported; returns the revision. */
async function verify(dataDir: string, printed: readonly number[]): Promise<{ revision: number; unreported: number }> {
  const store = await LmdbStore.open({ dataDir });
  try {
    const revision = await store.revision();
    const a = (await store.list('a/')).kvs;
    const b = (await store.list('b/')).kvs;
    const aByN = new Map(a.map((kv) => [nOf(kv), kv]));
    const bByN = new Map(b.map((kv) => [nOf(kv), kv]));

    // every reported commit is there, as a complete pair
    const missing = printed.filter((n) => !aByN.has(n) || !bByN.has(n));
    expect(missing, 'reported commits missing after the crash').toEqual([]);
    // nothing half-written: the same n on both sides, from the same transaction, with intact values
    expect([...aByN.keys()].sort((x, y) => x - y)).toEqual([...bByN.keys()].sort((x, y) => x - y));
    for (const [n, kvA] of aByN) {
      const kvB = bByN.get(n)!;
      expect(kvB.modRevision).toBe(kvA.modRevision);
      expect(kvA.value).toEqual(kvB.value);
      expect(new TextDecoder().decode(kvA.value).replace(/\.+$/, '')).toBe(String(n));
      expect(kvA.value.byteLength).toBe(1024);
    }
    // the revision matches the contents: one transaction per pair, pairs 1..revision, no gap
    expect(a.length).toBe(revision);
    expect([...aByN.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: revision }, (_, i) => i + 1));
    expect(new Set(a.map((kv) => kv.modRevision)).size).toBe(revision);
    expect(Math.max(0, ...printed)).toBeLessThanOrEqual(revision);
    return { revision, unreported: revision - printed.length };
  } finally {
    await store.close();
  }
}

describe('LmdbStore crash safety (SIGKILL of a writing process)', () => {
  for (const concurrency of [1, 8]) {
    it(`keeps every reported commit and no half transaction (concurrency ${concurrency}, 3 rounds)`, async () => {
      const dataDir = join(tmpRoot, `c${concurrency}`);
      const reported: number[] = [];
      for (let round = 0; round < 3; round++) {
        const { printed, signal } = await writeAndKill(dataDir, concurrency, 300);
        expect(signal).toBe('SIGKILL');
        reported.push(...printed);
        const { revision, unreported } = await verify(dataDir, reported);
        expect(revision).toBeGreaterThanOrEqual(reported.length);
        expect(unreported).toBeGreaterThanOrEqual(0);
      }
    }, 120_000);
  }
});
