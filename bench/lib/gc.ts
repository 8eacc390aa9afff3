/**
 * A full garbage collection between rounds, so that the garbage of one round (e.g. a 100k-object mirror) is not
 * collected during the next one. Uses `globalThis.gc` when node runs with --expose-gc; otherwise enables the flag
 * at run time (`v8.setFlagsFromString`) and takes `gc` from a fresh context. Does nothing if neither works.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = () => void;

function findGc(): Gc | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}

let cached: Gc | null | undefined;

/** Runs a full GC if one can be triggered; returns whether it ran. */
export function forceGc(): boolean {
  if (cached === undefined) cached = findGc() ?? null;
  if (cached === null) return false;
  cached();
  return true;
}
