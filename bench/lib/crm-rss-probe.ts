/**
 * Parent side of `crm-rss-child.ts`: runs it in a fresh node process with --expose-gc and reads its `CRM_RSS <json>`
 * reports. The CRM child runs only the CRM; the notify server it connects to stays in this process, so the server's
 * memory is not in the child's figures.
 *
 * The child runs as JavaScript under plain node, as `cloudletd crm` does from dist/: {@link prepareChildRunner} bundles
 * crm-rss-child.ts and the project modules it imports with the esbuild binary tsx ships (npm packages stay external and
 * load from node_modules through a symlink). Under tsx the loader's own thread and transpile caches would add ~40 MB to
 * every figure. If esbuild is missing or fails, the child runs through tsx and the runner says so.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import type { CrmChildReport } from './crm-rss-child.js';

const CHILD = fileURLToPath(new URL('./crm-rss-child.ts', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const ESBUILD = join(NODE_MODULES, '.bin', 'esbuild');
const MARK = 'CRM_RSS ';

/** How children are started. */
export interface ChildRunner {
  /** node arguments before the child's own (`[bundle]`, or tsx's loader flags and the .ts file). */
  readonly nodeArgs: readonly string[];
  /** For notes: `plain node on an esbuild bundle` or why tsx is used. */
  readonly how: string;
  /** Removes the bundle (idempotent). */
  cleanup(): void;
}

/** Bundles the child into a temp dir (see the file comment); falls back to tsx. */
export function prepareChildRunner(): ChildRunner {
  const tsx: ChildRunner = { nodeArgs: [...process.execArgv, CHILD], how: 'tsx loader (esbuild bundle unavailable: figures include tsx\'s ~40 MB)', cleanup: () => undefined };
  if (!existsSync(ESBUILD)) return tsx;
  const dir = mkdtempSync(join(tmpdir(), 'cloudletd-bench-crm-child-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const out = join(dir, 'crm-rss-child.mjs');
  const built = spawnSync(ESBUILD, [
    CHILD, '--bundle', '--platform=node', '--format=esm', '--packages=external', '--target=node20', `--outfile=${out}`, '--log-level=error',
  ], { encoding: 'utf8', timeout: 60_000 });
  if (built.status !== 0 || !existsSync(out)) {
    cleanup();
    return { ...tsx, how: `tsx loader (esbuild failed: ${(built.stderr || String(built.error)).trim().slice(0, 200)}; figures include tsx's ~40 MB)` };
  }
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'), 'dir');
  return { nodeArgs: [out], how: 'plain node on an esbuild bundle of the same modules (npm packages from node_modules)', cleanup };
}

/** A running child: its reports in order, commands to it, and its end. */
export interface CrmChild {
  /** Resolves with the next report not yet taken; rejects if the child exits first or `timeoutMs` passes. */
  next(timeoutMs: number): Promise<CrmChildReport>;
  /** Sends one command line (`measure <label>`, `exit`). */
  send(line: string): void;
  /** Resolves when the child has exited with 0; rejects otherwise or after `timeoutMs` (the child is then killed). */
  exited(timeoutMs: number): Promise<void>;
  kill(): void;
}

/** Spawns the child with `args` (see crm-rss-child.ts) the way `runner` says. */
export function spawnCrmChild(runner: ChildRunner, args: readonly string[]): CrmChild {
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    process.execPath,
    ['--expose-gc', ...runner.nodeArgs, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const reports: CrmChildReport[] = [];
  const waiters: Array<() => void> = [];
  let stdout = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    let nl: number;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (line.startsWith(MARK)) reports.push(JSON.parse(line.slice(MARK.length)) as CrmChildReport);
    }
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  child.on('error', (err) => {
    stderr += String(err);
    exit ??= { code: null, signal: null };
    wake();
  });
  child.on('close', (code, signal) => {
    exit = { code, signal };
    wake();
  });
  const failure = (): Error =>
    new Error(`crm rss child ${args[0] ?? ''} exited with ${exit?.code ?? exit?.signal ?? '?'}: ${stderr.trim().slice(-2000)}`);

  const wait = (done: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`crm rss child ${args[0] ?? ''}: ${what} not within ${timeoutMs} ms; stderr: ${stderr.trim().slice(-1000)}`)), timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else if (exit !== undefined) {
          clearTimeout(timer);
          reject(failure());
        } else {
          waiters.push(check);
        }
      };
      check();
    });

  let taken = 0;
  return {
    next: async (timeoutMs) => {
      await wait(() => reports.length > taken, timeoutMs, 'report');
      return reports[taken++]!;
    },
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
    exited: async (timeoutMs) => {
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`crm rss child ${args[0] ?? ''}: no exit within ${timeoutMs} ms`)), timeoutMs);
          const check = (): void => {
            if (exit === undefined) {
              waiters.push(check);
              return;
            }
            clearTimeout(timer);
            if (exit.code === 0) resolve();
            else reject(failure());
          };
          check();
        });
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
    },
    kill: () => {
      if (exit === undefined) child.kill('SIGKILL');
    },
  };
}
