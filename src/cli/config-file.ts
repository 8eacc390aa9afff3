/**
 * The optional YAML configuration file of a command (`--config FILE`): one mapping of settings whose keys are the
 * command's flag names without the dashes (`notify-addrs: ...`). Read synchronously at start; every problem is a
 * usage error (INVALID_ARGUMENT, exit 2) naming the file, and the key when there is one.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { usageError } from './usage-error.js';
import type { Source } from './setting-values.js';

/** A loaded configuration file. */
export interface ConfigFile {
  /** The path as given (for messages). */
  readonly path: string;
  /** Its directory: relative paths written in the file are resolved against it. */
  readonly dir: string;
  /** Its top-level settings; keys are checked, a key with no value (`key:` or `key: ~`) is left out. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** True for a plain YAML/JSON mapping (not null, not a list). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const READ_ERRORS: Readonly<Record<string, string>> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

/**
 * Reads and parses the YAML file at `source.value` (relative to `source.base`, else the working directory). The
 * file must hold one document that is a mapping (an empty file is an empty mapping) with only the given `keys`;
 * duplicate keys are refused. Throws a usage error naming `source.name` (the flag) and the file: unreadable file,
 * invalid YAML (first line of the parser's message, with line and column), not a mapping, or an unknown key.
 */
export function loadConfigFile(source: Source, options: { readonly keys: readonly string[] }): ConfigFile {
  const path = source.value;
  const absolute = resolve(source.base ?? process.cwd(), path);
  const fail = (reason: string): never => {
    throw usageError(source.name, `${path}: ${reason}`);
  };
  let text = '';
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    fail(`cannot read: ${(typeof code === 'string' ? READ_ERRORS[code] : undefined) ?? (err instanceof Error ? err.message : String(err))}`);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  const [firstError] = doc.errors;
  if (firstError) fail(`not valid YAML: ${firstError.message.split('\n')[0] ?? firstError.code}`);
  let content: unknown;
  try {
    content = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    fail(`not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (content === null || content === undefined) content = {};
  if (!isMapping(content)) return fail('must be a mapping of settings (key: value), one per line');
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(content)) {
    if (!options.keys.includes(key)) fail(`unknown key ${JSON.stringify(key)} (known: ${options.keys.join(', ')})`);
    if (value !== null && value !== undefined) values[key] = value;
  }
  return { path, dir: dirname(absolute), values };
}

/**
 * The text of a scalar setting of the file, parsed later like a flag value: strings as they are, numbers and
 * booleans in their usual form, a list of scalars joined with commas. Undefined when the key is absent. Throws a
 * usage error naming `flag`, the file and the key for a mapping or a nested list.
 */
export function settingText(file: ConfigFile, key: string, flag: string): string | undefined {
  const value = file.values[key];
  if (value === undefined) return undefined;
  const scalar = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : undefined;
  const text = Array.isArray(value) ? (value.every((v) => scalar(v) !== undefined) ? value.map(scalar).join(',') : undefined) : scalar(value);
  if (text === undefined) throw usageError(`${flag} (from ${file.path})`, `key ${JSON.stringify(key)} must be a single value or a list of values`);
  return text;
}
