/**
 * Checks shared by the drivers' settings parsers: each throws INVALID_ARGUMENT naming the field path it was given
 * (e.g. `platform.flavors[1].vcpus`). Pure.
 */
import { invalidArgument } from '../../src/core/errors.js';
import type { PlatformFlavor } from '../../src/platform/platform.js';

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object, or INVALID_ARGUMENT "must be an object". */
export function record(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalidArgument(field, 'must be an object');
  return value;
}

/** INVALID_ARGUMENT on `<field>.<key>` for the first key of `value` that `allowed` does not list. */
export function onlyKeys(value: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalidArgument(`${field}.${key}`, `unknown setting (known: ${allowed.join(', ')})`);
  }
}

/** A number, or a decimal number written as a string (values that came from flags or the environment). */
export function number(value: unknown, field: string, options: { min: number; max?: number; integer?: boolean }): number {
  const n = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidArgument(field, 'must be a number');
  if (options.integer && !Number.isInteger(n)) throw invalidArgument(field, 'must be an integer');
  if (n < options.min) throw invalidArgument(field, `must be at least ${options.min}`);
  if (options.max !== undefined && n > options.max) throw invalidArgument(field, `must be at most ${options.max}`);
  return n;
}

/**
 * A non-empty list of `{name, vcpus, ram (MB), disk (GB)}` with unique names (a driver's `flavors` setting at
 * `field`), as PlatformFlavors.
 */
export function parseFlavors(value: unknown, field: string): PlatformFlavor[] {
  if (!Array.isArray(value)) throw invalidArgument(field, 'must be a list of {name, vcpus, ram, disk}');
  if (value.length === 0) throw invalidArgument(field, 'must list at least one flavor');
  const names = new Set<string>();
  return value.map((raw: unknown, i) => {
    const at = `${field}[${i}]`;
    const f = record(raw, at);
    onlyKeys(f, at, ['name', 'vcpus', 'ram', 'disk']);
    if (typeof f.name !== 'string' || f.name.trim() === '') throw invalidArgument(`${at}.name`, 'must be a non-empty string');
    if (names.has(f.name)) throw invalidArgument(`${at}.name`, `duplicate flavor "${f.name}"`);
    names.add(f.name);
    return {
      name: f.name,
      vcpus: number(f.vcpus, `${at}.vcpus`, { min: 1, integer: true }),
      ramMb: number(f.ram, `${at}.ram`, { min: 1, integer: true }),
      diskGb: number(f.disk, `${at}.disk`, { min: 0, integer: true }),
    };
  });
}
