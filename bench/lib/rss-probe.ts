/**
 * Spawns `rss-child.ts` in a fresh node process (same node binary and loader flags as this one, plus
 * --expose-gc) and returns its {@link ChildReport}. Each child measures only itself, so nothing this process
 * allocated (other figures, their controllers) is in the numbers.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { ChildReport } from './rss-child.js';

const CHILD = fileURLToPath(new URL('./rss-child.ts', import.meta.url));
const MARK = 'RSS_RESULT ';

/** Runs the child with `args` (see rss-child.ts); rejects if it fails, prints no report, or exceeds `timeoutMs`. */
export function probeRss(args: readonly string[], timeoutMs: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rss child ${args.join(' ')}: no result within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || line === undefined) {
        reject(new Error(`rss child ${args.join(' ')} exited with ${code}: ${stderr.trim().slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(MARK.length)) as ChildReport);
    });
  });
}
