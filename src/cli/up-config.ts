/**
 * Configuration of `cloudletd up`: flags > environment > defaults, validated into one {@link UpConfig}. Pure: the
 * caller passes argv and the environment.
 */
import { parseArgs } from 'node:util';
import { isCodedError } from '../core/errors.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../core/logger.js';
import { DME_DEFAULTS } from '../dme/config.js';
import type { CloudletKey } from '../gen/edgeproto/cloudlet.js';
import { parseCloudletKeyArg } from './cloudlet-key-arg.js';
import { cloudletLabel, demoData } from './demo-data.js';
import { address, argvError, duration, fail, integer, nonEmpty, oneOf, type Source } from './setting-values.js';

/** Everything `cloudletd up` runs with. */
export interface UpConfig {
  /** Seed the demo data (operators, cloudlets, flavors, a developer, apps, instances) through the API. */
  readonly demo: boolean;
  /**
   * The cloudlets that get a CRM in this process, in order: the demo cloudlets (all, or the first `--crms N`),
   * or the `--cloudlet` ones.
   */
  readonly cloudlets: readonly CloudletKey[];
  /** Root of everything kept: `<dataDir>/controller`, `<dataDir>/crm-<operator>-<name>`, `<dataDir>/cloudletd.log`. */
  readonly dataDir: string;
  /** Controller gRPC API listen address (port 0: any free port). */
  readonly apiAddr: string;
  /** Controller notify listen address (port 0: any free port); the CRMs dial it. */
  readonly notifyAddr: string;
  /** Controller REST gateway listen address (`POST /create/app`, `/show/appinst`...) (port 0: any free port). */
  readonly httpAddr: string;
  /** The one HTTP server for /metrics (all components, labelled), /healthz and /readyz (port 0: any free port). */
  readonly metricsAddr: string;
  /** The DME's gRPC listen address, `distributed_match_engine.MatchEngineApi` (port 0: any free port). */
  readonly dmeApiAddr: string;
  /** The DME's REST listen address (`POST /v1/registerclient`, `/v1/findcloudlet`...) (port 0: any free port). */
  readonly dmeHttpAddr: string;
  /** Deadline of each start step: a CRM getting ready, each demo object getting created and READY. */
  readonly readyTimeoutMs: number;
  readonly logLevel: LogLevel;
  /**
   * Set when `--log-format` (or its variable) was given: component logs then go to standard output in that format
   * and the progress is printed as plain lines. Undefined: logs go to `<dataDir>/cloudletd.log` (JSON lines).
   */
  readonly logFormat: LogFormat | undefined;
}

/** What {@link parseUpArgs} found: a request for help, or a complete configuration. */
export type ParsedUpArgs = { readonly help: true } | { readonly help: false; readonly config: UpConfig };

/** One configurable setting with a value: its flag, environment variable and default (as text). */
interface Setting {
  readonly flag: string;
  readonly env: string | undefined;
  readonly fallback: string | undefined;
  readonly help: string;
}

const SETTINGS = {
  dataDir: { flag: 'data-dir', env: 'CLOUDLETD_DATA_DIR', fallback: './data', help: 'where the controller, the CRMs and the log keep their files' },
  crms: { flag: 'crms', env: undefined, fallback: undefined, help: 'with --demo: run CRMs for the first N demo cloudlets only (default all)' },
  apiAddr: { flag: 'api-addr', env: 'CLOUDLETD_API_ADDR', fallback: '127.0.0.1:55001', help: 'controller gRPC API listen address (port 0: any free port)' },
  notifyAddr: { flag: 'notify-addr', env: 'CLOUDLETD_NOTIFY_ADDR', fallback: '127.0.0.1:50001', help: 'controller notify listen address (the CRMs and the DME connect to it)' },
  httpAddr: { flag: 'http-addr', env: 'CLOUDLETD_HTTP_ADDR', fallback: '127.0.0.1:36001', help: 'controller REST listen address (POST /create/app, /show/appinst...)' },
  metricsAddr: { flag: 'metrics-addr', env: 'CLOUDLETD_METRICS_ADDR', fallback: '127.0.0.1:9091', help: 'HTTP listen address of /metrics, /healthz, /readyz' },
  dmeApiAddr: { flag: 'dme-api-addr', env: 'CLOUDLETD_DME_API_ADDR', fallback: DME_DEFAULTS.apiAddress, help: 'DME gRPC listen address (MatchEngineApi)' },
  dmeHttpAddr: { flag: 'dme-http-addr', env: 'CLOUDLETD_DME_HTTP_ADDR', fallback: DME_DEFAULTS.httpAddress, help: 'DME REST listen address (POST /v1/registerclient...)' },
  readyTimeout: { flag: 'ready-timeout', env: 'CLOUDLETD_READY_TIMEOUT', fallback: '2m', help: 'deadline of each start step (CRM ready, each demo object)' },
  logLevel: { flag: 'log-level', env: 'CLOUDLETD_LOG_LEVEL', fallback: 'info', help: LOG_LEVELS.join(' | ') },
  logFormat: { flag: 'log-format', env: 'CLOUDLETD_LOG_FORMAT', fallback: undefined, help: 'json | pretty: logs to stdout (default: to <data-dir>/cloudletd.log)' },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

function settingLine(flag: string, env: string, help: string): string {
  return `  --${flag.padEnd(21)} ${env.padEnd(24)} ${help}`;
}

/** The `--help` text of `cloudletd up`. */
export const UP_USAGE = [
  'usage: cloudletd up --demo [flags]',
  '       cloudletd up --cloudlet OPERATOR/NAME [--cloudlet ...] [flags]',
  '',
  'Runs everything on this machine in one process: the controller (gRPC API, REST, notify, store), the DME (client API',
  'over gRPC and REST, fed by the controller) and one CRM per cloudlet on the fake platform, with live progress.',
  '--demo also creates demo data through the API (operators, cloudlets, flavors, a developer, apps, a ClusterInst',
  'per cloudlet and AppInsts) and waits until it is READY.',
  'Data persists in --data-dir, so the next start resumes where this one stopped. Stop with Ctrl-C (SIGINT) or',
  'SIGTERM. Every setting with a variable can also be set by it; a flag wins over the environment.',
  '',
  'flags:',
  settingLine('demo', '', 'create the demo data and run a CRM for each demo cloudlet'),
  settingLine('cloudlet OPERATOR/NAME', '', 'run a CRM for this cloudlet (repeatable; not with --demo)'),
  ...Object.values(SETTINGS).map((s: Setting) => {
    const fallback = s.fallback === undefined ? '' : ` (default ${s.fallback})`;
    return settingLine(`${s.flag} ${s.flag === 'crms' ? 'N' : 'VALUE'}`, s.env ?? '', `${s.help}${fallback}`);
  }),
  settingLine('help', '', 'show this help'),
  '',
  'durations: a number with a unit, or several: 500ms, 3s, 2m, 1h30m.',
].join('\n');

/**
 * Parses `OPERATOR/NAME` (or the JSON form of a cloudlet key) given to `--cloudlet`; both names must be valid
 * object names. Throws a usage error naming `--cloudlet`. Pure.
 */
export function parseCloudletRef(text: string): CloudletKey {
  try {
    return parseCloudletKeyArg(text);
  } catch (err) {
    if (isCodedError(err)) fail({ value: text, name: '--cloudlet' }, `${JSON.stringify(text)}: ${err.message}`);
    throw err;
  }
}


/**
 * Parses the arguments of `cloudletd up` (after the command name) with `env`. Each setting is taken from its flag,
 * else its environment variable (empty counts as unset), else the default. Exactly one of `--demo` and
 * `--cloudlet` (repeatable, no duplicates) is required; `--crms N` (0..number of demo cloudlets) only goes with
 * `--demo`. Throws a usage error (INVALID_ARGUMENT, exit 2, one line naming the flag, and the variable when the
 * value came from it) for an unknown flag, a missing value, a positional argument or a bad value. Pure.
 */
export function parseUpArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedUpArgs {
  const options = {
    ...Object.fromEntries(Object.values(SETTINGS).map((s: Setting) => [s.flag, { type: 'string' as const }])),
    demo: { type: 'boolean' as const },
    cloudlet: { type: 'string' as const, multiple: true as const },
    help: { type: 'boolean' as const, short: 'h' },
  } as Record<string, { type: 'string'; multiple?: true } | { type: 'boolean'; short?: string }>;
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    argvError(err, 'up');
  }
  if (values.help === true) return { help: true };
  const source = (name: SettingName): Source | undefined => {
    const setting: Setting = SETTINGS[name];
    const flagValue = values[setting.flag];
    if (typeof flagValue === 'string') return { value: flagValue, name: `--${setting.flag}` };
    const envValue = setting.env === undefined ? undefined : env[setting.env];
    if (setting.env !== undefined && envValue !== undefined && envValue !== '') {
      return { value: envValue, name: `--${setting.flag} (from ${setting.env})` };
    }
    return setting.fallback === undefined ? undefined : { value: setting.fallback, name: `--${setting.flag}` };
  };
  const get = (name: SettingName): Source => source(name) ?? fail({ value: '', name: `--${SETTINGS[name].flag}` }, 'required');

  const demo = values.demo === true;
  const refs = ((values.cloudlet ?? []) as string[]).map(parseCloudletRef);
  const crmsSource = source('crms');
  let cloudlets: CloudletKey[];
  if (demo) {
    if (refs.length > 0) fail({ value: '', name: '--cloudlet' }, 'not with --demo (the demo brings its own cloudlets)');
    const all = demoData().cloudlets.map((c) => c.key as CloudletKey);
    cloudlets = crmsSource ? all.slice(0, integer(crmsSource, 0, all.length)) : all;
  } else {
    if (crmsSource) fail(crmsSource, 'only with --demo (otherwise each --cloudlet gets a CRM)');
    if (refs.length === 0) {
      fail({ value: '', name: '--demo or --cloudlet' }, 'one is needed: --demo for the demo, or --cloudlet OPERATOR/NAME for each cloudlet to run a CRM for');
    }
    const seen = new Set<string>();
    for (const key of refs) {
      const label = cloudletLabel(key);
      if (seen.has(label)) fail({ value: label, name: '--cloudlet' }, `${label} is given more than once`);
      seen.add(label);
    }
    cloudlets = refs;
  }
  const formatSource = source('logFormat');
  const listen = { allowPortZero: true };
  return {
    help: false,
    config: {
      demo,
      cloudlets,
      dataDir: nonEmpty(get('dataDir')),
      apiAddr: address(get('apiAddr'), listen),
      notifyAddr: address(get('notifyAddr'), listen),
      httpAddr: address(get('httpAddr'), listen),
      metricsAddr: address(get('metricsAddr'), listen),
      dmeApiAddr: address(get('dmeApiAddr'), listen),
      dmeHttpAddr: address(get('dmeHttpAddr'), listen),
      readyTimeoutMs: duration(get('readyTimeout')),
      logLevel: oneOf<LogLevel>(get('logLevel'), LOG_LEVELS),
      logFormat: formatSource ? oneOf<LogFormat>(formatSource, ['json', 'pretty']) : undefined,
    },
  };
}
