/**
 * Memory of this process: `process.memoryUsage()` plus, on Linux, the split of the resident set from
 * /proc/self/status into anonymous memory (JS heap, malloc, buffers) and file-backed pages (e.g. an lmdb map).
 */
import { readFileSync } from 'node:fs';

/** Sizes in bytes; `rssAnon` / `rssFile` are absent where /proc is not available. */
export interface MemorySnapshot {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rssAnon?: number;
  readonly rssFile?: number;
}

function procStatus(): { rssAnon?: number; rssFile?: number } {
  try {
    const text = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string): number | undefined => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
      return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
    };
    const rssAnon = kb('RssAnon');
    const rssFile = kb('RssFile');
    return { ...(rssAnon === undefined ? {} : { rssAnon }), ...(rssFile === undefined ? {} : { rssFile }) };
  } catch {
    return {};
  }
}

/** The memory of this process now (call after a full GC for a stable figure). */
export function memorySnapshot(): MemorySnapshot {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, ...procStatus() };
}

/** Bytes as MB of 2^20 bytes, rounded to one decimal, e.g. `123.4`. */
export function mb(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}
