/**
 * Configuration of `cloudletd controller`: flags > environment > defaults, validated into one
 * {@link ControllerCommandConfig}. Pure: the caller passes argv, the environment and the host name.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_EXEC_TIMEOUT_MS, type ControllerConfig } from '../controller/config.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../core/logger.js';
import { STORE_KINDS, type StoreKind } from '../store/open-store.js';
import { address, argvError, duration, fail, nonEmpty, oneOf, type Source } from './setting-values.js';

/** Default of `--http-addr`: the REST gateway, /healthz, /readyz and /metrics. */
export const CONTROLLER_HTTP_ADDRESS = '127.0.0.1:36001';

/** Everything `cloudletd controller` runs with. */
export interface ControllerCommandConfig {
  readonly controller: ControllerConfig;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

/** What {@link parseControllerArgs} found: a request for help, or a complete configuration. */
export type ParsedControllerArgs = { readonly help: true } | { readonly help: false; readonly config: ControllerCommandConfig };

/** One configurable setting: its flag, environment variable and default (as text, parsed like a flag value). */
interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly fallback: string | undefined;
  readonly help: string;
}

const SETTINGS = {
  apiAddr: { flag: 'api-addr', env: 'CLOUDLETD_API_ADDR', fallback: '127.0.0.1:55001', help: 'gRPC API listen address (port 0: any free port)' },
  notifyAddr: { flag: 'notify-addr', env: 'CLOUDLETD_NOTIFY_ADDR', fallback: '127.0.0.1:50001', help: 'notify listen address for CRMs and DMEs' },
  httpAddr: { flag: 'http-addr', env: 'CLOUDLETD_HTTP_ADDR', fallback: CONTROLLER_HTTP_ADDRESS, help: 'REST gateway (POST /create/app...) and /healthz /readyz /metrics (port 0: any)' },
  dataDir: { flag: 'data-dir', env: 'CLOUDLETD_DATA_DIR', fallback: './data', help: 'directory of the embedded store' },
  store: { flag: 'store', env: 'CLOUDLETD_STORE', fallback: 'lmdb', help: `store backend: ${STORE_KINDS.join(' | ')}` },
  logLevel: { flag: 'log-level', env: 'CLOUDLETD_LOG_LEVEL', fallback: 'info', help: LOG_LEVELS.join(' | ') },
  logFormat: { flag: 'log-format', env: 'CLOUDLETD_LOG_FORMAT', fallback: 'json', help: 'json | pretty' },
  createTimeout: { flag: 'create-timeout', env: 'CLOUDLETD_CREATE_TIMEOUT', fallback: '30m', help: 'ClusterInst/AppInst create deadline' },
  updateTimeout: { flag: 'update-timeout', env: 'CLOUDLETD_UPDATE_TIMEOUT', fallback: '20m', help: 'ClusterInst/AppInst update deadline' },
  deleteTimeout: { flag: 'delete-timeout', env: 'CLOUDLETD_DELETE_TIMEOUT', fallback: '20m', help: 'ClusterInst/AppInst delete deadline' },
  execTimeout: { flag: 'exec-timeout', env: 'CLOUDLETD_EXEC_TIMEOUT', fallback: `${DEFAULT_EXEC_TIMEOUT_MS / 1000}s`, help: 'how long RunCommand waits for the CRM' },
  controllerId: { flag: 'controller-id', env: 'CLOUDLETD_CONTROLLER_ID', fallback: undefined, help: 'id written into CloudletInfo (default hostname@api-addr)' },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

/** The `--help` text of `cloudletd controller`. */
export const CONTROLLER_USAGE = [
  'usage: cloudletd controller [flags]',
  '',
  'Runs the controller: gRPC API, its REST gateway (the original\'s paths: POST /create/app, /show/appinst, ...;',
  'GET /healthz, /readyz, /metrics), notify server for CRMs and DMEs, embedded store.',
  'Every flag can also be set by its environment variable; a flag wins over the environment.',
  '',
  'flags:',
  ...Object.values(SETTINGS).map((s: Setting) => {
    const fallback = s.fallback === undefined ? '' : ` (default ${s.fallback})`;
    return `  --${s.flag.padEnd(15)} ${s.env.padEnd(25)} ${s.help}${fallback}`;
  }),
  `  --${'help'.padEnd(15)} ${''.padEnd(25)} show this help`,
  '',
  'durations: a number with a unit, or several: 500ms, 3s, 20m, 1h30m.',
].join('\n');


/**
 * Parses the arguments of `cloudletd controller` (after the command name) with `env` and `hostname` (for the
 * default controller id `hostname@api-addr`). Each setting is taken from its flag, else its environment variable
 * (empty counts as unset), else the default. Throws a usage error (INVALID_ARGUMENT, exit 2, one line naming the
 * flag, and the variable when the value came from it) for an unknown flag, a missing value, a positional argument
 * or a bad value. Pure.
 */
export function parseControllerArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname: string): ParsedControllerArgs {
  const options = Object.fromEntries([
    ...Object.values(SETTINGS).map((s: Setting) => [s.flag, { type: 'string' as const }]),
    ['help', { type: 'boolean' as const, short: 'h' }],
  ]) as Record<string, { type: 'string' } | { type: 'boolean'; short: string }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    argvError(err, 'controller');
  }
  if (values.help === true) return { help: true };
  const source = (name: SettingName): Source | undefined => {
    const setting: Setting = SETTINGS[name];
    const flagValue = values[setting.flag];
    if (typeof flagValue === 'string') return { value: flagValue, name: `--${setting.flag}` };
    const envValue = env[setting.env];
    if (envValue !== undefined && envValue !== '') return { value: envValue, name: `--${setting.flag} (from ${setting.env})` };
    return setting.fallback === undefined ? undefined : { value: setting.fallback, name: `--${setting.flag}` };
  };
  const get = (name: SettingName): Source => source(name) ?? fail({ value: '', name: `--${SETTINGS[name].flag}` }, 'required');
  const apiAddr = address(get('apiAddr'), { allowPortZero: true });
  const idSource = source('controllerId');
  const controller: ControllerConfig = {
    apiAddr,
    notifyAddr: address(get('notifyAddr'), { allowPortZero: true }),
    httpAddr: address(get('httpAddr'), { allowPortZero: true }),
    dataDir: nonEmpty(get('dataDir')),
    store: oneOf<StoreKind>(get('store'), STORE_KINDS),
    timeouts: {
      createMs: duration(get('createTimeout')),
      updateMs: duration(get('updateTimeout')),
      deleteMs: duration(get('deleteTimeout')),
    },
    execTimeoutMs: duration(get('execTimeout')),
    controllerId: idSource ? nonEmpty(idSource) : `${hostname}@${apiAddr}`,
  };
  return {
    help: false,
    config: {
      controller,
      logLevel: oneOf<LogLevel>(get('logLevel'), LOG_LEVELS),
      logFormat: oneOf<LogFormat>(get('logFormat'), ['json', 'pretty']),
    },
  };
}
