/**
 * Configuration of `cloudletd crm`: flags > environment > config file > defaults, validated into one
 * {@link CrmCommandConfig}. The caller passes argv, the environment, the host name, the working directory and the
 * platform driver names; the only I/O is reading the `--config` file.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../core/logger.js';
import { isCodedError } from '../core/errors.js';
import { CRM_DEFAULTS, type CrmConfig } from '../crm/config.js';
import type { CloudletKey } from '../gen/edgeproto/cloudlet.js';
import { STORE_KINDS, type StoreKind } from '../store/open-store.js';
import { parseCloudletKeyArg } from './cloudlet-key-arg.js';
import { isMapping, settingText, type ConfigFile } from './config-file.js';
import { fileKeysOf, SettingResolver, settingUsageLines, type FileSetting } from './file-settings.js';
import { fakePlatformSettings, FAKE_OPERATIONS, type FakeFlagSettings } from './fake-flags.js';
import {
  address, addressList, argvError, boolean, cronPattern, duration, fail, formatDuration, integer, nonEmpty, oneOf,
  type Source,
} from './setting-values.js';
import { usageError } from './usage-error.js';

/** Everything `cloudletd crm` runs with. */
export interface CrmCommandConfig {
  readonly crm: CrmConfig;
  /** Name of the platform driver to create (`fake` in a dry run). */
  readonly platform: string;
  /** The driver's settings, unvalidated (the driver's factory checks them). */
  readonly platformSettings: Readonly<Record<string, unknown>>;
  /** `--dry-run`: fake platform without persistence, memory store, nothing written anywhere. */
  readonly dryRun: boolean;
  /** `host:port` of the HTTP server of /metrics, /healthz and /readyz (port 0: any free port). */
  readonly metricsAddress: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** The `--config` file as given, when there was one. */
  readonly configFile: string | undefined;
}

/** What {@link parseCrmArgs} found: a request for help, or a complete configuration. */
export type ParsedCrmArgs = { readonly help: true } | { readonly help: false; readonly config: CrmCommandConfig };

/** What the caller knows about the machine: host name (default `--hostname`), working directory, drivers. */
export interface CrmArgDefaults {
  readonly hostname: string;
  /** Relative `--data-dir` and `--config` paths are resolved against it. */
  readonly cwd: string;
  /** Names of the registered platform drivers (`--platform` must be one). */
  readonly platforms: readonly string[];
}

/** One configurable setting: flag, environment variable, default (text, parsed like a flag value), file key. */
type Setting = FileSetting;

const SETTINGS = {
  cloudlet: { flag: 'cloudlet', env: 'CLOUDLETD_CLOUDLET', fallback: undefined, help: 'the cloudlet: OPERATOR/NAME or its JSON key (required)', inFile: true },
  notifyAddrs: { flag: 'notify-addrs', env: 'CLOUDLETD_NOTIFY_ADDRS', fallback: '127.0.0.1:50001', help: 'controller notify addresses, comma separated', inFile: true },
  platform: { flag: 'platform', env: 'CLOUDLETD_PLATFORM', fallback: 'fake', help: 'platform driver (list below)', inFile: true },
  dryRun: { flag: 'dry-run', env: 'CLOUDLETD_DRY_RUN', fallback: 'false', help: 'fake platform, memory store, nothing kept', inFile: true },
  dataDir: { flag: 'data-dir', env: 'CLOUDLETD_DATA_DIR', fallback: './crm-data', help: 'local store, and platform state in <dir>/platform', inFile: true },
  store: { flag: 'store', env: 'CLOUDLETD_STORE', fallback: CRM_DEFAULTS.store, help: `local store: ${STORE_KINDS.join(' | ')}`, inFile: true },
  hostname: { flag: 'hostname', env: 'CLOUDLETD_HOSTNAME', fallback: undefined, help: 'node name reported to the controller (default: host name)', inFile: true },
  metricsAddr: { flag: 'metrics-addr', env: 'CLOUDLETD_METRICS_ADDR', fallback: '127.0.0.1:9091', help: 'HTTP /metrics /healthz /readyz address (port 0: any)', inFile: true },
  concurrency: { flag: 'concurrency', env: 'CLOUDLETD_CONCURRENCY', fallback: String(CRM_DEFAULTS.concurrency), help: 'platform operations at once', inFile: true },
  operationTimeout: {
    flag: 'operation-timeout', env: 'CLOUDLETD_OPERATION_TIMEOUT', fallback: formatDuration(CRM_DEFAULTS.operationTimeoutMs),
    help: 'deadline of one platform create/update/delete', inFile: true,
  },
  maxAttempts: { flag: 'max-attempts', env: 'CLOUDLETD_MAX_ATTEMPTS', fallback: String(CRM_DEFAULTS.maxAttempts), help: 'attempts of a retryable platform error', inFile: true },
  orphanGrace: {
    flag: 'orphan-grace', env: 'CLOUDLETD_ORPHAN_GRACE', fallback: formatDuration(CRM_DEFAULTS.orphanGraceMs),
    help: 'undesired platform instances live this long after sync', inFile: true,
  },
  dependencyWait: {
    flag: 'dependency-wait', env: 'CLOUDLETD_DEPENDENCY_WAIT', fallback: formatDuration(CRM_DEFAULTS.dependencyWaitMs),
    help: 'AppInst wait for its App/ClusterInst/Flavor', inFile: true,
  },
  refreshSchedule: { flag: 'refresh-schedule', env: 'CLOUDLETD_REFRESH_SCHEDULE', fallback: CRM_DEFAULTS.schedules.refreshInfo, help: 'cron: refresh CloudletInfo', inFile: true },
  driftSchedule: { flag: 'drift-schedule', env: 'CLOUDLETD_DRIFT_SCHEDULE', fallback: CRM_DEFAULTS.schedules.drift, help: 'cron: repair drift from desired state', inFile: true },
  runtimeSchedule: { flag: 'runtime-schedule', env: 'CLOUDLETD_RUNTIME_SCHEDULE', fallback: CRM_DEFAULTS.schedules.runtime, help: 'cron: collect AppInst runtime info', inFile: true },
  logLevel: { flag: 'log-level', env: 'CLOUDLETD_LOG_LEVEL', fallback: 'info', help: LOG_LEVELS.join(' | '), inFile: true },
  logFormat: { flag: 'log-format', env: 'CLOUDLETD_LOG_FORMAT', fallback: 'json', help: 'json | pretty', inFile: true },
  fakeLatency: { flag: 'fake-latency', env: 'CLOUDLETD_FAKE_LATENCY', fallback: undefined, help: 'fake: OP=DURATION[,OP=DURATION] delays (OP * = all)', inFile: false },
  fakeFail: { flag: 'fake-fail', env: 'CLOUDLETD_FAKE_FAIL', fallback: undefined, help: 'fake: OP=MESSAGE, OP fails (repeatable)', inFile: false },
  fakeHang: { flag: 'fake-hang', env: 'CLOUDLETD_FAKE_HANG', fallback: undefined, help: 'fake: OP[,OP] never finish until aborted', inFile: false },
  fakeFaultRate: { flag: 'fake-fault-rate', env: 'CLOUDLETD_FAKE_FAULT_RATE', fallback: undefined, help: 'fake: chance 0..1 that a create/update/delete fails', inFile: false },
  dockerSocket: { flag: 'docker-socket', env: 'CLOUDLETD_DOCKER_SOCKET', fallback: undefined, help: 'docker: daemon socket (default DOCKER_HOST unix://..., else /var/run/docker.sock)', inFile: false },
  dockerHostIp: { flag: 'docker-host-ip', env: 'CLOUDLETD_DOCKER_HOST_IP', fallback: undefined, help: 'docker: host IP that AppInst ports are published on (default 0.0.0.0)', inFile: false },
  config: { flag: 'config', env: 'CLOUDLETD_CONFIG', fallback: undefined, help: 'YAML file of settings (format below)', inFile: false },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

/** Flags that may be given several times (each adds entries). */
const REPEATABLE: ReadonlySet<string> = new Set([SETTINGS.fakeLatency.flag, SETTINGS.fakeFail.flag, SETTINGS.fakeHang.flag]);
const BOOLEAN_FLAGS: ReadonlySet<string> = new Set([SETTINGS.dryRun.flag]);

/** Top-level keys of the config file: the flag names of the settings marked `inFile`. */
export const CRM_FILE_KEYS: readonly string[] = fileKeysOf(Object.values(SETTINGS));

/** The `--help` text of `cloudletd crm`. */
export const CRM_USAGE = [
  'usage: cloudletd crm --cloudlet OPERATOR/NAME [flags]',
  '',
  'Runs the Cloudlet Resource Manager of one cloudlet: notify client of the controller, reconciler, platform driver,',
  'and an HTTP server of /metrics, /healthz and /readyz.',
  'Each setting comes from its flag, else its environment variable, else the --config file, else its default.',
  '',
  'flags:',
  ...settingUsageLines(Object.values(SETTINGS)),
  '',
  'cloudlet:   OPERATOR/NAME (TDG/berlin-edge-1) or JSON {"operator_key":{"name":"TDG"},"name":"berlin-edge-1"}.',
  'durations:  a number with a unit, or several: 500ms, 3s, 20m, 1h30m.',
  'schedules:  cron patterns: 5 fields, or 6 with seconds first (*/30 * * * * *), or @hourly, @daily...',
  'dry run:    platform fake (settings persist: false) and store memory, whatever else is set; writes nothing.',
  `fake-*:     merged into the fake platform's settings as latency, fail, hang and faultRate;`,
  `            OP is one of ${FAKE_OPERATIONS.slice(0, 5).join(', ')},`,
  `            ${FAKE_OPERATIONS.slice(5).join(', ')}.`,
  'booleans:   CLOUDLETD_DRY_RUN and the file take true/false (or 1/0).',
  '',
  'config file: YAML, one mapping whose keys are the flag names above (not config or fake-*); relative paths in it',
  'are relative to the file. The platform key is a driver name, or a mapping with the driver and its settings:',
  '  cloudlet: TDG/berlin-edge-1',
  '  notify-addrs: [ctl-1.example.net:50001, ctl-2.example.net:50001]',
  '  data-dir: /var/lib/cloudletd/crm',
  '  operation-timeout: 20m',
  '  platform:',
  '    type: fake',
  '    settings: { latency: { createClusterInst: 2000 } }',
  'The settings are used only while the driver in use is the one the file names.',
].join('\n');

/** The `platform` key of a config file: a driver name, or `{ type?, settings? }`. */
interface FilePlatform {
  readonly type: string | undefined;
  readonly settings: Readonly<Record<string, unknown>>;
}

function filePlatform(file: ConfigFile): FilePlatform | undefined {
  const value = file.values.platform;
  const name = `--platform (from ${file.path})`;
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { type: value, settings: {} };
  if (!isMapping(value)) throw usageError(name, 'key "platform" must be a driver name or a mapping { type, settings }');
  const extra = Object.keys(value).find((k) => k !== 'type' && k !== 'settings');
  if (extra !== undefined) throw usageError(name, `unknown key "platform.${extra}" (known: type, settings)`);
  const { type, settings = {} } = value;
  if (type !== undefined && type !== null && typeof type !== 'string') throw usageError(name, 'key "platform.type" must be a driver name');
  if (settings !== null && !isMapping(settings)) throw usageError(name, 'key "platform.settings" must be a mapping');
  return { type: typeof type === 'string' ? type : undefined, settings: settings ?? {} };
}

function cloudletKey(source: Source): CloudletKey {
  try {
    return parseCloudletKeyArg(source.value);
  } catch (err) {
    if (isCodedError(err)) fail(source, err.message);
    throw err;
  }
}

/**
 * Parses the arguments of `cloudletd crm` (after the command name). Each setting is taken from its flag, else its
 * environment variable (empty counts as unset), else the `--config` file (`CLOUDLETD_CONFIG`), else its default;
 * `--data-dir` is resolved against `defaults.cwd` (or the file's directory when it came from the file). Throws a
 * usage error (INVALID_ARGUMENT, exit 2, one line naming the flag, and the variable or file when the value came from
 * one) for an unknown flag, a missing value, a positional argument, a bad value, an unreadable or invalid file, an
 * unknown file key, or a fake-* flag while the platform is not `fake`.
 */
export function parseCrmArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, defaults: CrmArgDefaults): ParsedCrmArgs {
  const options = Object.fromEntries([
    ...Object.values(SETTINGS).map((s: Setting) => [
      s.flag,
      BOOLEAN_FLAGS.has(s.flag) ? { type: 'boolean' as const } : { type: 'string' as const, multiple: REPEATABLE.has(s.flag) },
    ]),
    ['help', { type: 'boolean' as const, short: 'h' }],
  ]) as Record<string, { type: 'string'; multiple: boolean } | { type: 'boolean'; short?: string }>;
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    argvError(err, 'crm');
  }
  if (values.help === true) return { help: true };

  const settings = new SettingResolver(values, env, defaults.cwd, { setting: SETTINGS.config, keys: CRM_FILE_KEYS });
  const fromFlagOrEnv = (setting: Setting): Source[] => settings.given(setting);
  const platformInFile = settings.file ? filePlatform(settings.file) : undefined;
  /** How the file gives `platform` (a mapping with its type) and `cloudlet` (the JSON key as a mapping). */
  const fileTextOf = (name: SettingName): ((file: ConfigFile) => string | undefined) | undefined => {
    if (name === 'platform') return () => platformInFile?.type;
    if (name === 'cloudlet') {
      return (file) => (isMapping(file.values.cloudlet) ? JSON.stringify(file.values.cloudlet) : settingText(file, 'cloudlet', '--cloudlet'));
    }
    return undefined;
  };
  const source = (name: SettingName): Source | undefined => settings.source(SETTINGS[name], fileTextOf(name));
  const get = (name: SettingName): Source => settings.get(SETTINGS[name], fileTextOf(name));

  const key = cloudletKey(get('cloudlet'));
  const notifyAddresses = addressList(get('notifyAddrs'));
  const configured = oneOf(get('platform'), defaults.platforms);
  const dryRunSource = get('dryRun');
  const dryRun = boolean(dryRunSource);
  if (dryRun && !defaults.platforms.includes('fake')) fail(dryRunSource, 'needs the fake platform, which is not available');
  const platform = dryRun ? 'fake' : configured;
  const dataDirSource = get('dataDir');
  const dataDir = resolve(dataDirSource.base ?? defaults.cwd, nonEmpty(dataDirSource));
  const store = oneOf<StoreKind>(get('store'), STORE_KINDS);
  const hostnameSource = source('hostname');
  const crm: CrmConfig = {
    cloudletKey: key,
    notifyAddresses,
    hostname: hostnameSource ? nonEmpty(hostnameSource) : defaults.hostname,
    dataDir,
    store: dryRun ? 'memory' : store,
    concurrency: integer(get('concurrency'), 1, 1024),
    operationTimeoutMs: duration(get('operationTimeout')),
    maxAttempts: integer(get('maxAttempts'), 1, 1000),
    orphanGraceMs: duration(get('orphanGrace'), { min: 0 }),
    dependencyWaitMs: duration(get('dependencyWait'), { min: 0 }),
    schedules: {
      refreshInfo: cronPattern(get('refreshSchedule')),
      drift: cronPattern(get('driftSchedule')),
      runtime: cronPattern(get('runtimeSchedule')),
    },
  };
  const metricsAddress = address(get('metricsAddr'), { allowPortZero: true });
  const logLevel = oneOf<LogLevel>(get('logLevel'), LOG_LEVELS);
  const logFormat = oneOf<LogFormat>(get('logFormat'), ['json', 'pretty']);

  // The file's settings belong to the driver it names (any driver when it names none).
  const fileSettings = platformInFile && (platformInFile.type === undefined || platformInFile.type === configured) ? platformInFile.settings : {};
  const fake = fakePlatformSettings({
    latency: fromFlagOrEnv(SETTINGS.fakeLatency),
    fail: fromFlagOrEnv(SETTINGS.fakeFail),
    hang: fromFlagOrEnv(SETTINGS.fakeHang),
    faultRate: fromFlagOrEnv(SETTINGS.fakeFaultRate)[0],
  });
  if (fake && platform !== 'fake') fail(fake.source, `only for the fake platform (platform is ${JSON.stringify(platform)})`);
  const platformSettings: Record<string, unknown> = { ...(platform === configured ? fileSettings : {}) };
  if (fake) mergeFakeSettings(platformSettings, fake.settings);
  if (dryRun) platformSettings.persist = false;
  const dockerSocket = fromFlagOrEnv(SETTINGS.dockerSocket)[0];
  const dockerHostIp = fromFlagOrEnv(SETTINGS.dockerHostIp)[0];
  for (const given of [dockerSocket, dockerHostIp]) {
    if (given && platform !== 'docker') fail(given, `only for the docker platform (platform is ${JSON.stringify(platform)})`);
  }
  if (platform === 'docker') {
    if (dockerSocket) platformSettings.socketPath = nonEmpty(dockerSocket);
    else if (platformSettings.socketPath === undefined && env.DOCKER_HOST?.startsWith('unix://')) platformSettings.socketPath = env.DOCKER_HOST.slice('unix://'.length);
    if (dockerHostIp) platformSettings.hostIp = nonEmpty(dockerHostIp);
  }

  return {
    help: false,
    config: { crm, platform, platformSettings, dryRun, metricsAddress, logLevel, logFormat, configFile: settings.file?.path },
  };
}

/** Adds the fake-* flag settings to the file's: latency and fail per operation, hang as a union, faultRate replaced. */
function mergeFakeSettings(target: Record<string, unknown>, fake: FakeFlagSettings): void {
  for (const [key, value] of Object.entries(fake)) {
    const current = target[key];
    if (isMapping(current) && isMapping(value)) target[key] = { ...current, ...value };
    else if (Array.isArray(current) && Array.isArray(value)) target[key] = [...new Set([...(current as unknown[]), ...(value as unknown[])])];
    else target[key] = value;
  }
}
