/**
 * Configuration of `cloudletd dme`: flags > environment > config file > defaults, validated into one
 * {@link DmeCommandConfig}. The caller passes argv, the environment, the host name and the working directory; the
 * only I/O is reading the `--config` file.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../core/logger.js';
import { DME_DEFAULTS, type DmeConfig } from '../dme/config.js';
import { OBJECT_NAME_PATTERN, isValidObjectName } from '../wire/object-name.js';
import { fileKeysOf, SettingResolver, settingUsageLines, type FileSetting } from './file-settings.js';
import { address, addressList, argvError, duration, fail, formatDuration, nonEmpty, oneOf, type Source } from './setting-values.js';

/** Everything `cloudletd dme` runs with. */
export interface DmeCommandConfig {
  readonly dme: DmeConfig;
  /** `host:port` of the HTTP server of /metrics, /healthz and /readyz (port 0: any free port). */
  readonly metricsAddress: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** The `--config` file as given, when there was one. */
  readonly configFile: string | undefined;
}

/** What {@link parseDmeArgs} found: a request for help, or a complete configuration. */
export type ParsedDmeArgs = { readonly help: true } | { readonly help: false; readonly config: DmeCommandConfig };

/** What the caller knows about the machine: host name (default `--hostname`) and working directory. */
export interface DmeArgDefaults {
  readonly hostname: string;
  /** Relative `--session-key-file` and `--config` paths are resolved against it. */
  readonly cwd: string;
}

/** One configurable setting: flag, environment variable, default (text, parsed like a flag value), file key. */
type Setting = FileSetting;

/** Default of `--metrics-addr` (the CRM's is 9091, so both fit on one host). */
export const DME_METRICS_ADDRESS = '127.0.0.1:9092';

const SETTINGS = {
  notifyAddrs: { flag: 'notify-addrs', env: 'CLOUDLETD_NOTIFY_ADDRS', fallback: '127.0.0.1:50001', help: 'controller notify addresses, comma separated', inFile: true },
  apiAddr: { flag: 'api-addr', env: 'CLOUDLETD_API_ADDR', fallback: DME_DEFAULTS.apiAddress, help: 'gRPC listen address of MatchEngineApi (port 0: any)', inFile: true },
  httpAddr: { flag: 'http-addr', env: 'CLOUDLETD_HTTP_ADDR', fallback: DME_DEFAULTS.httpAddress, help: 'REST listen address: POST /v1/registerclient... (port 0: any)', inFile: true },
  carrier: { flag: 'carrier', env: 'CLOUDLETD_CARRIER', fallback: undefined, help: 'operator served, FindCloudlet\'s default carrier (default: any)', inFile: true },
  sessionKeyFile: {
    flag: 'session-key-file', env: 'CLOUDLETD_SESSION_KEY_FILE', fallback: undefined,
    help: 'PEM key signing session cookies; created there if missing (default: in memory)', inFile: true,
  },
  cookieTtl: { flag: 'cookie-ttl', env: 'CLOUDLETD_COOKIE_TTL', fallback: formatDuration(DME_DEFAULTS.cookieTtlMs), help: 'lifetime of a session cookie', inFile: true },
  hostname: { flag: 'hostname', env: 'CLOUDLETD_HOSTNAME', fallback: undefined, help: 'node name reported to the controller (default: host name)', inFile: true },
  metricsAddr: { flag: 'metrics-addr', env: 'CLOUDLETD_METRICS_ADDR', fallback: DME_METRICS_ADDRESS, help: 'HTTP /metrics /healthz /readyz address (port 0: any)', inFile: true },
  logLevel: { flag: 'log-level', env: 'CLOUDLETD_LOG_LEVEL', fallback: 'info', help: LOG_LEVELS.join(' | '), inFile: true },
  logFormat: { flag: 'log-format', env: 'CLOUDLETD_LOG_FORMAT', fallback: 'json', help: 'json | pretty', inFile: true },
  config: { flag: 'config', env: 'CLOUDLETD_CONFIG', fallback: undefined, help: 'YAML file of settings (format below)', inFile: false },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

/** Top-level keys of the config file: the flag names of the settings marked `inFile`. */
export const DME_FILE_KEYS: readonly string[] = fileKeysOf(Object.values(SETTINGS));

/** The `--help` text of `cloudletd dme`. */
export const DME_USAGE = [
  'usage: cloudletd dme [flags]',
  '',
  'Runs the Distributed Matching Engine: a notify client of the controller that mirrors every App, AppInst,',
  'Cloudlet and CloudletInfo, the client API distributed_match_engine.MatchEngineApi over gRPC and REST',
  '(RegisterClient, FindCloudlet...), and an HTTP server of /metrics, /healthz and /readyz (ready: connected to a',
  'controller and synced).',
  'Each setting comes from its flag, else its environment variable, else the --config file, else its default.',
  '',
  'flags:',
  ...settingUsageLines(Object.values(SETTINGS)),
  '',
  'durations:   a number with a unit, or several: 500ms, 3s, 20m, 1h30m, 24h.',
  'session key: an RSA private key in PEM; a missing file is generated at start (mode 0600), so cookies stay',
  '             valid across restarts. Without the flag the key lives in memory and a restart ends every session.',
  '',
  'config file: YAML, one mapping whose keys are the flag names above (not config); relative paths in it are',
  'relative to the file:',
  '  notify-addrs: [ctl-1.example.net:50001, ctl-2.example.net:50001]',
  '  api-addr: 0.0.0.0:50051',
  '  http-addr: 0.0.0.0:38001',
  '  carrier: TDG',
  '  session-key-file: /var/lib/cloudletd/dme-session.pem',
  '  cookie-ttl: 24h',
].join('\n');

/** An operator name (the original's object-name rule), or empty for any operator. */
function carrierName(source: Source): string {
  if (source.value !== '' && !isValidObjectName(source.value)) {
    fail(source, `${JSON.stringify(source.value)} is not an operator name (${OBJECT_NAME_PATTERN.source})`);
  }
  return source.value;
}

/** Refuses two listen addresses that are the same `host:port` (port 0 excepted: each gets its own free port). */
function distinctListeners(sources: readonly Source[]): void {
  sources.forEach((later, i) => {
    const earlier = sources.slice(0, i).find((s) => s.value === later.value && !later.value.endsWith(':0'));
    if (earlier) fail(later, `${later.value} is also ${earlier.name.split(' ')[0] ?? earlier.name}'s address; each server needs its own port`);
  });
}

/**
 * Parses the arguments of `cloudletd dme` (after the command name). Each setting is taken from its flag, else its
 * environment variable (empty counts as unset), else the `--config` file (`CLOUDLETD_CONFIG`), else its default;
 * `--session-key-file` is resolved against `defaults.cwd` (or the file's directory when it came from the file).
 * `--carrier` may be given empty on the command line (any operator). Throws a usage error (INVALID_ARGUMENT,
 * exit 2, one line naming the flag, and the variable or file when the value came from one) for an unknown flag, a
 * missing value, a positional argument, a bad value, two listen addresses on the same port, an unreadable or
 * invalid file, or an unknown file key.
 */
export function parseDmeArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, defaults: DmeArgDefaults): ParsedDmeArgs {
  const options = Object.fromEntries([
    ...Object.values(SETTINGS).map((s: Setting) => [s.flag, { type: 'string' as const }]),
    ['help', { type: 'boolean' as const, short: 'h' }],
  ]) as Record<string, { type: 'string' } | { type: 'boolean'; short?: string }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    argvError(err, 'dme');
  }
  if (values.help === true) return { help: true };

  const settings = new SettingResolver(values, env, defaults.cwd, { setting: SETTINGS.config, keys: DME_FILE_KEYS });
  const source = (name: SettingName): Source | undefined => settings.source(SETTINGS[name]);
  const get = (name: SettingName): Source => settings.get(SETTINGS[name]);

  const listen = { allowPortZero: true };
  const apiSource = get('apiAddr');
  const httpSource = get('httpAddr');
  const metricsSource = get('metricsAddr');
  const apiAddress = address(apiSource, listen);
  const httpAddress = address(httpSource, listen);
  const metricsAddress = address(metricsSource, listen);
  distinctListeners([apiSource, httpSource, metricsSource]);
  const carrierSource = source('carrier');
  const keySource = source('sessionKeyFile');
  const hostnameSource = source('hostname');
  const dme: DmeConfig = {
    notifyAddresses: addressList(get('notifyAddrs')),
    apiAddress,
    httpAddress,
    carrier: carrierSource ? carrierName(carrierSource) : DME_DEFAULTS.carrier,
    sessionKeyFile: keySource ? resolve(keySource.base ?? defaults.cwd, nonEmpty(keySource)) : undefined,
    cookieTtlMs: duration(get('cookieTtl')),
    hostname: hostnameSource ? nonEmpty(hostnameSource) : defaults.hostname,
  };
  return {
    help: false,
    config: {
      dme,
      metricsAddress,
      logLevel: oneOf<LogLevel>(get('logLevel'), LOG_LEVELS),
      logFormat: oneOf<LogFormat>(get('logFormat'), ['json', 'pretty']),
      configFile: settings.file?.path,
    },
  };
}
