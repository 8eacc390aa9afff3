/**
 * The data file of `ctl apply -f` / `ctl delete -f`: YAML or JSON (YAML is a superset), one or more documents
 * whose top-level keys are the plurals of the kinds (`flavors`, ..., `appinsts`), each a list of objects in proto
 * field names (JSON names accepted), exactly as `ctl show -o yaml` writes them. Reading checks everything before
 * anything is sent: an unknown top-level key, a field, type or enum value that is not in the schema, or two objects
 * with the same key is an INVALID_ARGUMENT naming where (`appinsts[2].key.app_key.name`, `data.yaml:3:5`).
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import { Code, CodedError, invalidArgument } from '../../core/errors.js';
import { messageFromJson } from '../../wire/strict-json.js';
import { APPLY_KINDS, type CtlKind } from './kinds.js';
import { keyIdentity, keyIsEmpty, objectTitle } from './object-ref.js';

/** One object of a data file, checked against the schema. */
export interface DataObject {
  readonly kind: CtlKind;
  /** Where it is in the file: `appinsts[2]`. */
  readonly path: string;
  /** The object as the file writes it (what the file sets: the fields `apply` compares and updates). */
  readonly json: Readonly<Record<string, unknown>>;
  /** The message. */
  readonly message: unknown;
  /** Its key identity (see `keyIdentity`). */
  readonly identity: string;
  /** `AppInst arena-server 1.4.2 on TDG/hamburg-edge-1`. */
  readonly title: string;
}

/** The objects of one kind in a data file, in file order. */
export interface DataGroup {
  readonly kind: CtlKind;
  readonly objects: readonly DataObject[];
}

/** A checked data file: its groups in dependency order (`APPLY_KINDS`), only the kinds it holds. */
export interface DataFile {
  /** The name used in messages: the path, or `stdin`. */
  readonly name: string;
  readonly groups: readonly DataGroup[];
  /** Number of objects of every kind. */
  readonly count: number;
}

const PLURALS = APPLY_KINDS.map((k) => k.plural);

/** 64-bit integers stay exact: a YAML integer beyond 2^53 becomes its decimal text, which the schema accepts. */
function exactIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(exactIntegers);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactIntegers(v)]));
  }
  return value;
}

/** The YAML/JSON documents of `text` as plain data; INVALID_ARGUMENT `name:line:col: reason` for a syntax error. */
function parseDocuments(text: string, name: string): unknown[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { prettyErrors: false, intAsBigInt: true, lineCounter });
  const list = Array.isArray(documents) ? documents : [documents];
  const values: unknown[] = [];
  for (const document of list) {
    const error = document.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new CodedError(Code.INVALID_ARGUMENT, `${name}:${line}:${col}: ${error.message.split('\n')[0] ?? ''}`, { cause: error });
    }
    values.push(exactIntegers(document.toJS({ maxAliasCount: 1000 })));
  }
  return values;
}

/** `err` (an INVALID_ARGUMENT about a place in the file) with its message prefixed by the file's name. */
function inFile(name: string, err: unknown): CodedError {
  const coded = err instanceof CodedError ? err : new CodedError(Code.INVALID_ARGUMENT, String(err));
  return new CodedError(coded.code, `${name}: ${coded.message}`, { field: coded.field, cause: coded });
}

/**
 * Reads the text of a data file (`-` is `stdin`). Rejects with an INVALID_ARGUMENT whose message names the file
 * and the reason (`cannot read data.yaml: no such file`), or with `signal`'s reason when it aborts.
 */
export async function readDataText(path: string, signal: AbortSignal, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  try {
    if (path !== '-') return await readFile(path, { encoding: 'utf8', signal });
    const chunks: string[] = [];
    stdin.setEncoding('utf8');
    for await (const chunk of stdin) {
      signal.throwIfAborted();
      chunks.push(String(chunk));
    }
    return chunks.join('');
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const code = (err as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied'
      : err instanceof Error ? err.message : String(err);
    throw new CodedError(Code.INVALID_ARGUMENT, `cannot read ${path === '-' ? 'stdin' : path}: ${reason}`, { cause: err });
  }
}

/**
 * Checks the text of data file `name` and returns its objects grouped by kind in dependency order. Every
 * top-level key must be a plural of `APPLY_KINDS` (several documents may each give some), every value a list of
 * objects valid for the kind's message with a non-empty key, and no key may occur twice for one kind. Throws
 * INVALID_ARGUMENT naming the place and the reason. Pure.
 */
export function parseDataFile(text: string, name: string): DataFile {
  const lists = new Map<string, unknown[]>();
  for (const document of parseDocuments(text, name)) {
    if (document === null || document === undefined) continue;
    if (typeof document !== 'object' || Array.isArray(document)) {
      throw new CodedError(Code.INVALID_ARGUMENT, `${name}: the top level must map kinds to lists (${PLURALS.join(', ')}), not ${Array.isArray(document) ? 'a list' : typeof document}`);
    }
    for (const [key, value] of Object.entries(document)) {
      if (!PLURALS.includes(key)) {
        throw new CodedError(Code.INVALID_ARGUMENT, `${name}: unknown top-level key "${key}"; allowed: ${PLURALS.join(', ')}`, { field: key });
      }
      if (value === null) continue;
      if (!Array.isArray(value)) throw inFile(name, invalidArgument(key, `must be a list of objects, not ${typeof value}`));
      lists.set(key, [...(lists.get(key) ?? []), ...(value as unknown[])]);
    }
  }
  const groups: DataGroup[] = [];
  let count = 0;
  for (const kind of APPLY_KINDS) {
    const list = lists.get(kind.plural);
    if (!list || list.length === 0) continue;
    const seen = new Map<string, string>();
    const objects = list.map((json, i): DataObject => {
      const path = `${kind.plural}[${i}]`;
      let message: unknown;
      try {
        message = messageFromJson<unknown>(kind.message, json, path);
      } catch (err) {
        throw inFile(name, err);
      }
      if (keyIsEmpty(kind, message)) throw inFile(name, invalidArgument(`${path}.key`, `is required: it names the ${kind.title}`));
      const identity = keyIdentity(kind, message);
      const title = objectTitle(kind, message);
      const earlier = seen.get(identity);
      if (earlier !== undefined) throw inFile(name, invalidArgument(`${path}.key`, `${title} is given twice (also as ${earlier})`));
      seen.set(identity, path);
      return { kind, path, json: json as Record<string, unknown>, message, identity, title };
    });
    groups.push({ kind, objects });
    count += objects.length;
  }
  if (count === 0) throw new CodedError(Code.INVALID_ARGUMENT, `${name} holds no objects; expected lists under ${PLURALS.join(', ')}`);
  return { name, groups, count };
}

/** {@link readDataText} then {@link parseDataFile}. */
export async function readDataFile(path: string, signal: AbortSignal, stdin?: NodeJS.ReadableStream): Promise<DataFile> {
  const text = await readDataText(path, signal, stdin);
  return parseDataFile(text, path === '-' ? 'stdin' : path);
}
