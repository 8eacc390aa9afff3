/**
 * The command line of `cloudletd ctl`: `[flags] <verb> [<kind>] [path=value ...] [flags]`. Flags may come before
 * or after the verb and the kind; settings come from flags, then the environment, then defaults. Pure: the
 * environment is passed in.
 */
import { usageError } from '../usage-error.js';
import { address, duration, formatDuration, oneOf, type Source } from '../setting-values.js';
import type { OutputFormat } from './context.js';
import { ALL_KINDS, findKind, type CtlKind } from './kinds.js';

/** The verbs of `cloudletd ctl`. */
export const CTL_VERBS = ['create', 'update', 'delete', 'show', 'apply'] as const;

/** One verb of `cloudletd ctl`. */
export type CtlVerb = (typeof CTL_VERBS)[number];

/** The default controller API address (`--addr`). */
export const CTL_DEFAULT_ADDR = '127.0.0.1:55001';
/** The default deadline of each unary call and show (`--timeout`). */
export const CTL_DEFAULT_TIMEOUT_MS = 30_000;
/** The default deadline of each streamed change and its wait until READY or gone (`--wait-timeout`). */
export const CTL_DEFAULT_WAIT_TIMEOUT_MS = 600_000;

/** The environment variables of `cloudletd ctl`, by flag. */
export const CTL_ENV = Object.freeze({ addr: 'CLOUDLETD_CTL_ADDR', timeout: 'CLOUDLETD_CTL_TIMEOUT', waitTimeout: 'CLOUDLETD_CTL_WAIT_TIMEOUT' });

/** Where and how long: the settings of one invocation. */
export interface CtlSettings {
  readonly addr: string;
  readonly timeoutMs: number;
  readonly waitTimeoutMs: number;
}

/** A request for help: the whole command, a verb, or a verb on a kind. */
export interface CtlHelpRequest {
  readonly help: true;
  readonly verb?: CtlVerb;
  readonly kind?: CtlKind;
}

/** An invocation to run. */
export interface CtlRun {
  readonly help: false;
  readonly settings: CtlSettings;
  readonly verb: CtlVerb;
  /** Undefined for `apply -f` and the data-file `delete -f`. */
  readonly kind: CtlKind | undefined;
  /** The `path=value` arguments, as written. */
  readonly fields: readonly string[];
  /** `-f FILE`. */
  readonly file: string | undefined;
  readonly output: OutputFormat;
}

/** What {@link parseCtlArgs} found. */
export type ParsedCtlArgs = CtlHelpRequest | CtlRun;

type FlagName = 'addr' | 'timeout' | 'waitTimeout' | 'output' | 'file';

const VALUE_FLAGS: Readonly<Record<string, FlagName>> = {
  '--addr': 'addr', '--timeout': 'timeout', '--wait-timeout': 'waitTimeout', '-o': 'output', '--output': 'output',
  '-f': 'file', '--file': 'file', '--filename': 'file',
};
const HELP_FLAGS = new Set(['-h', '--help']);

interface Tokens {
  readonly values: Partial<Record<FlagName, { value: string; flag: string }>>;
  readonly positionals: string[];
  readonly help: boolean;
}

function tokenize(argv: readonly string[]): Tokens {
  const values: Partial<Record<FlagName, { value: string; flag: string }>> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (HELP_FLAGS.has(arg)) {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    let flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    let value: string | undefined = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : undefined;
    if (!arg.startsWith('--') && arg.length > 2 && VALUE_FLAGS[arg.slice(0, 2)]) {
      flag = arg.slice(0, 2);
      value = arg.slice(2).replace(/^=/, '');
    }
    const name = VALUE_FLAGS[flag];
    if (!name) throw usageError(flag, 'unknown flag');
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined) throw usageError(flag, 'needs a value');
      i++;
    }
    if (values[name]) throw usageError(flag, `given twice (${values[name].flag} ${values[name].value} and ${flag} ${value})`);
    values[name] = { value, flag };
  }
  return { values, positionals, help };
}

function verbOf(text: string): CtlVerb {
  if (!(CTL_VERBS as readonly string[]).includes(text)) throw usageError(text, `unknown verb; use one of ${CTL_VERBS.join(', ')}`);
  return text as CtlVerb;
}

function kindOf(text: string): CtlKind {
  const kind = findKind(text);
  if (!kind) throw usageError(text, `unknown kind; use one of ${ALL_KINDS.map((k) => k.name).join(', ')}`);
  return kind;
}

/** The verbs `kind` supports, in the order of {@link CTL_VERBS} (show for every kind). Pure. */
export function verbsOf(kind: CtlKind): CtlVerb[] {
  return CTL_VERBS.filter((v) => v === 'show' || ((v === 'create' || v === 'update' || v === 'delete') && kind[v] !== undefined));
}

function setting(tokens: Tokens, name: FlagName, flag: string, env: Readonly<Record<string, string | undefined>>, envName: string): Source | undefined {
  const given = tokens.values[name];
  if (given) return { value: given.value, name: given.flag };
  const value = env[envName];
  return value !== undefined && value !== '' ? { value, name: `${flag} (from ${envName})` } : undefined;
}

function settingsOf(tokens: Tokens, env: Readonly<Record<string, string | undefined>>): CtlSettings {
  const addr = setting(tokens, 'addr', '--addr', env, CTL_ENV.addr);
  const timeout = setting(tokens, 'timeout', '--timeout', env, CTL_ENV.timeout);
  const waitTimeout = setting(tokens, 'waitTimeout', '--wait-timeout', env, CTL_ENV.waitTimeout);
  return {
    addr: addr ? address(addr, { allowPortZero: false }) : CTL_DEFAULT_ADDR,
    timeoutMs: timeout ? duration(timeout) : CTL_DEFAULT_TIMEOUT_MS,
    waitTimeoutMs: waitTimeout ? duration(waitTimeout) : CTL_DEFAULT_WAIT_TIMEOUT_MS,
  };
}

/**
 * Parses the arguments of `cloudletd ctl` (after `ctl`). `-h`/`--help` anywhere asks for the help of what precedes
 * it (the command, a verb, or a verb on a kind). Otherwise: the verb; the kind (every verb but `apply -f` and the
 * data-file `delete -f`); `path=value` field arguments; `-f FILE`; `-o table|json|yaml` (show only); `--addr`,
 * `--timeout`, `--wait-timeout` (else `CLOUDLETD_CTL_ADDR`, `CLOUDLETD_CTL_TIMEOUT`, `CLOUDLETD_CTL_WAIT_TIMEOUT`,
 * else 127.0.0.1:55001, 30s, 10m). Throws a usage error (INVALID_ARGUMENT, exit 2) naming the bad flag, verb,
 * kind or argument: a verb the kind lacks lists the verbs it has. Field arguments are checked later, against the
 * kind's message.
 */
export function parseCtlArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCtlArgs {
  const tokens = tokenize(argv);
  const [verbText, kindText, ...rest] = tokens.positionals;
  if (tokens.help) {
    const verb = verbText === undefined ? undefined : verbOf(verbText);
    const kind = kindText === undefined || kindText.includes('=') ? undefined : kindOf(kindText);
    return { help: true, ...(verb ? { verb } : {}), ...(kind ? { kind } : {}) };
  }
  if (verbText === undefined) throw usageError('ctl', `needs a verb: ${CTL_VERBS.join(', ')}`);
  const verb = verbOf(verbText);
  const file = tokens.values.file?.value;
  const outputSource = tokens.values.output;
  const output = outputSource ? oneOf({ value: outputSource.value, name: outputSource.flag }, ['table', 'json', 'yaml'] as const) : 'table';
  if (outputSource && verb !== 'show') throw usageError(outputSource.flag, 'applies to show only');
  const settings = settingsOf(tokens, env);
  const hasKind = kindText !== undefined && !kindText.includes('=');
  const fields = hasKind ? rest : tokens.positionals.slice(1);
  if (verb === 'apply' || (verb === 'delete' && !hasKind && file !== undefined)) {
    if (hasKind) throw usageError(kindText, 'apply takes no kind: the data file names the kinds (apply -f FILE)');
    if (file === undefined) throw usageError('apply', 'needs -f FILE (a data file)');
    if (fields.length > 0) throw usageError(fields[0] ?? '', `${verb} -f FILE takes no field arguments`);
    return { help: false, settings, verb, kind: undefined, fields: [], file, output };
  }
  if (!hasKind) {
    throw usageError(verb, `needs a kind: ${ALL_KINDS.filter((k) => verbsOf(k).includes(verb)).map((k) => k.name).join(', ')}`);
  }
  const kind = kindOf(kindText);
  const verbs = verbsOf(kind);
  if (!verbs.includes(verb)) throw usageError(`${verb} ${kind.name}`, `${kind.name} supports ${verbs.length === 1 ? 'show only' : verbs.join(', ')}`);
  return { help: false, settings, verb, kind, fields, file, output };
}

/** The defaults as help texts print them: `127.0.0.1:55001`, `30s`, `10m`. */
export const CTL_DEFAULTS_TEXT = Object.freeze({
  addr: CTL_DEFAULT_ADDR, timeout: formatDuration(CTL_DEFAULT_TIMEOUT_MS), waitTimeout: formatDuration(CTL_DEFAULT_WAIT_TIMEOUT_MS),
});

