import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DME_FILE_KEYS, DME_USAGE, parseDmeArgs, type DmeArgDefaults, type DmeCommandConfig } from '../../../src/cli/dme-config.js';
import { DME_DEFAULTS } from '../../../src/dme/config.js';
import { usageFailureOf } from '../../helpers/usage-failure.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudletd-dme-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defaults: DmeArgDefaults = { hostname: 'host1', cwd: '/srv/dme' };

function config(argv: string[], env: Record<string, string> = {}, d: DmeArgDefaults = defaults): DmeCommandConfig {
  const parsed = parseDmeArgs(argv, env, d);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.config;
}

/** The one-line message of the usage error thrown, with its code. */
function usageFailure(argv: string[], env: Record<string, string> = {}): string {
  return usageFailureOf(() => parseDmeArgs(argv, env, defaults));
}

let files = 0;
/** Writes `text` to a new file in the temporary directory (or in `sub` of it) and returns its path. */
function file(text: string, sub?: string): string {
  const folder = sub ? join(dir, sub) : dir;
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `dme-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('parseDmeArgs', () => {
  it('has the documented defaults', () => {
    const c = config([]);
    expect(c.dme).toEqual({
      notifyAddresses: ['127.0.0.1:50001'],
      apiAddress: '127.0.0.1:50051',
      httpAddress: '127.0.0.1:38001',
      carrier: '',
      sessionKeyFile: undefined,
      cookieTtlMs: 24 * 3_600_000,
      hostname: 'host1',
    });
    expect(c.dme.cookieTtlMs).toBe(DME_DEFAULTS.cookieTtlMs);
    expect(c).toMatchObject({ metricsAddress: '127.0.0.1:9092', logLevel: 'info', logFormat: 'json' });
    expect(c.configFile).toBeUndefined();
  });

  it('takes every setting from its flag', () => {
    const c = config([
      '--notify-addrs', 'ctl-1:50001, ctl-2:50002,[::1]:50003',
      '--api-addr', '0.0.0.0:0',
      '--http-addr', '[::]:8080',
      '--carrier', 'AT&T',
      '--session-key-file', 'keys/session.pem',
      '--cookie-ttl', '1h30m',
      '--hostname', 'dme-7',
      '--metrics-addr', '127.0.0.1:0',
      '--log-level', 'debug',
      '--log-format', 'pretty',
    ]);
    expect(c.dme).toEqual({
      notifyAddresses: ['ctl-1:50001', 'ctl-2:50002', '[::1]:50003'],
      apiAddress: '0.0.0.0:0',
      httpAddress: '[::]:8080',
      carrier: 'AT&T',
      sessionKeyFile: '/srv/dme/keys/session.pem',
      cookieTtlMs: 5_400_000,
      hostname: 'dme-7',
    });
    expect(c).toMatchObject({ metricsAddress: '127.0.0.1:0', logLevel: 'debug', logFormat: 'pretty' });
  });

  it('takes flags over the environment over defaults, setting by setting', () => {
    const env = {
      CLOUDLETD_NOTIFY_ADDRS: 'env-ctl:50001',
      CLOUDLETD_API_ADDR: '127.0.0.1:1',
      CLOUDLETD_HTTP_ADDR: '127.0.0.1:2',
      CLOUDLETD_CARRIER: 'TDG',
      CLOUDLETD_SESSION_KEY_FILE: '/etc/cloudletd/key.pem',
      CLOUDLETD_COOKIE_TTL: '10m',
      CLOUDLETD_HOSTNAME: 'env-host',
      CLOUDLETD_METRICS_ADDR: '127.0.0.1:3',
      CLOUDLETD_LOG_LEVEL: 'warn',
      CLOUDLETD_LOG_FORMAT: 'pretty',
    };
    expect(config([], env)).toEqual({
      dme: {
        notifyAddresses: ['env-ctl:50001'],
        apiAddress: '127.0.0.1:1',
        httpAddress: '127.0.0.1:2',
        carrier: 'TDG',
        sessionKeyFile: '/etc/cloudletd/key.pem',
        cookieTtlMs: 600_000,
        hostname: 'env-host',
      },
      metricsAddress: '127.0.0.1:3',
      logLevel: 'warn',
      logFormat: 'pretty',
      configFile: undefined,
    });
    const c = config(['--carrier', 'Orange', '--cookie-ttl=2m', '--log-level', 'error'], env);
    expect(c.dme).toMatchObject({ carrier: 'Orange', cookieTtlMs: 120_000, apiAddress: '127.0.0.1:1' });
    expect(c.logLevel).toBe('error');
  });

  it('treats an empty environment variable as unset, and an empty --carrier as any operator', () => {
    expect(config([], { CLOUDLETD_CARRIER: '', CLOUDLETD_SESSION_KEY_FILE: '', CLOUDLETD_COOKIE_TTL: '' }).dme).toMatchObject({
      carrier: '', sessionKeyFile: undefined, cookieTtlMs: DME_DEFAULTS.cookieTtlMs,
    });
    expect(config(['--carrier', ''], { CLOUDLETD_CARRIER: 'TDG' }).dme.carrier).toBe('');
  });

  it('returns help for --help and -h before validating anything', () => {
    expect(parseDmeArgs(['--help'], {}, defaults)).toEqual({ help: true });
    expect(parseDmeArgs(['-h', '--api-addr', 'nonsense', '--config', '/nowhere.yaml'], {}, defaults)).toEqual({ help: true });
  });

  it('lists every flag with its variable and default in the usage', () => {
    const flags = ['notify-addrs', 'api-addr', 'http-addr', 'carrier', 'session-key-file', 'cookie-ttl', 'hostname', 'metrics-addr', 'log-level', 'log-format', 'config'];
    for (const flag of flags) {
      const line = DME_USAGE.split('\n').find((l) => l.startsWith(`  --${flag} `));
      expect(line, flag).toBeDefined();
      expect(line).toContain(`CLOUDLETD_${flag.toUpperCase().replaceAll('-', '_')}`);
    }
    for (const fallback of ['127.0.0.1:50001', '127.0.0.1:50051', '127.0.0.1:38001', '127.0.0.1:9092', '24h']) expect(DME_USAGE).toContain(`(default ${fallback})`);
  });

  it('fails with one line naming the flag for each bad value', () => {
    const cases: [string[], RegExp][] = [
      [['--notify-addrs', 'ctl'], /^--notify-addrs: "ctl" is not host:port \(port 1\.\.65535\)$/],
      [['--notify-addrs', 'a:1,b:0'], /^--notify-addrs: "b:0" is not host:port/],
      [['--notify-addrs', ' , '], /^--notify-addrs: needs at least one host:port$/],
      [['--api-addr', '50051'], /^--api-addr: "50051" is not host:port \(port 0\.\.65535\)$/],
      [['--http-addr', 'localhost:70000'], /^--http-addr: "localhost:70000" is not host:port/],
      [['--metrics-addr', ':9092'], /^--metrics-addr: ":9092" is not host:port/],
      [['--carrier', 'T/DG'], /^--carrier: "T\/DG" is not an operator name/],
      [['--carrier', ' TDG'], /^--carrier: " TDG" is not an operator name/],
      [['--session-key-file', ' '], /^--session-key-file: must not be empty$/],
      [['--cookie-ttl', '24'], /^--cookie-ttl: "24" is not a duration such as 3s, 20m or 1h30m$/],
      [['--cookie-ttl', '0s'], /^--cookie-ttl: must be greater than 0$/],
      [['--cookie-ttl', '1000h'], /^--cookie-ttl: must be at most/],
      [['--hostname', ''], /^--hostname: must not be empty$/],
      [['--log-level', 'loud'], /^--log-level: "loud" is not one of /],
      [['--log-format', 'xml'], /^--log-format: "xml" is not one of json, pretty$/],
      [['--http-addr', '127.0.0.1:50051'], /^--http-addr: 127\.0\.0\.1:50051 is also --api-addr's address; each server needs its own port$/],
      [['--metrics-addr', '127.0.0.1:38001'], /^--metrics-addr: 127\.0\.0\.1:38001 is also --http-addr's address/],
    ];
    for (const [argv, expected] of cases) expect(usageFailure(argv), argv.join(' ')).toMatch(expected);
  });

  it('lets every server take any free port (port 0) at once', () => {
    expect(config(['--api-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0']).dme.httpAddress).toBe('127.0.0.1:0');
  });

  it('names the environment variable when a bad value came from it', () => {
    expect(usageFailure([], { CLOUDLETD_COOKIE_TTL: 'forever' })).toMatch(/^--cookie-ttl \(from CLOUDLETD_COOKIE_TTL\): "forever" is not a duration/);
    expect(usageFailure([], { CLOUDLETD_API_ADDR: 'x' })).toMatch(/^--api-addr \(from CLOUDLETD_API_ADDR\): "x" is not host:port/);
    expect(usageFailure([], { CLOUDLETD_CARRIER: '-x' })).toMatch(/^--carrier \(from CLOUDLETD_CARRIER\): "-x" is not an operator name/);
  });

  it('refuses unknown flags, missing values and positional arguments, naming them', () => {
    expect(usageFailure(['--bogus'])).toBe('--bogus: unknown flag; see cloudletd dme --help');
    expect(usageFailure(['--carrier'])).toBe('--carrier: needs a value');
    expect(usageFailure(['extra'])).toMatch(/^extra: unexpected argument/);
    expect(usageFailure(['--help=yes'])).toMatch(/^--help: takes no value/);
  });
});

describe('parseDmeArgs --config file', () => {
  const full = [
    '# the DME of the TDG edge',
    'notify-addrs: [ctl-1:50001, ctl-2:50001]',
    'api-addr: 0.0.0.0:50051',
    'http-addr: 0.0.0.0:38001',
    'carrier: TDG',
    'session-key-file: keys/dme.pem',
    'cookie-ttl: 12h',
    'hostname: dme-node',
    'metrics-addr: 127.0.0.1:0',
    'log-level: debug',
    'log-format: pretty',
    '',
  ].join('\n');

  it('reads every setting, with paths relative to the file', () => {
    const path = file(full, 'etc');
    const c = config(['--config', path]);
    expect(c).toEqual({
      dme: {
        notifyAddresses: ['ctl-1:50001', 'ctl-2:50001'],
        apiAddress: '0.0.0.0:50051',
        httpAddress: '0.0.0.0:38001',
        carrier: 'TDG',
        sessionKeyFile: join(dir, 'etc', 'keys', 'dme.pem'),
        cookieTtlMs: 12 * 3_600_000,
        hostname: 'dme-node',
      },
      metricsAddress: '127.0.0.1:0',
      logLevel: 'debug',
      logFormat: 'pretty',
      configFile: path,
    });
  });

  it('is found through CLOUDLETD_CONFIG and relative to the working directory', () => {
    const path = file('carrier: Orange\n', 'cwd');
    const c = config([], { CLOUDLETD_CONFIG: path.slice(join(dir, 'cwd').length + 1) }, { ...defaults, cwd: join(dir, 'cwd') });
    expect(c.dme.carrier).toBe('Orange');
  });

  it('ranks below flags and the environment, above the defaults', () => {
    const path = file('carrier: FromFile\ncookie-ttl: 1h\nhostname: file-host\nsession-key-file: k.pem\n');
    const c = config(['--config', path, '--cookie-ttl', '2h', '--session-key-file', 'flag.pem'], { CLOUDLETD_HOSTNAME: 'env-host' });
    expect(c.dme).toMatchObject({ carrier: 'FromFile', cookieTtlMs: 7_200_000, hostname: 'env-host', sessionKeyFile: '/srv/dme/flag.pem', apiAddress: DME_DEFAULTS.apiAddress });
  });

  it('treats an empty file or a key without value as unset', () => {
    expect(config(['--config', file('')]).dme.apiAddress).toBe(DME_DEFAULTS.apiAddress);
    expect(config(['--config', file('# nothing yet\ncarrier:\n')]).dme.carrier).toBe('');
  });

  it('fails with one line naming the file, and the key, for a bad file', () => {
    const missing = join(dir, 'missing.yaml');
    expect(usageFailure(['--config', missing])).toBe(`--config: ${missing}: cannot read: no such file`);
    expect(usageFailure([], { CLOUDLETD_CONFIG: missing })).toMatch(/^--config \(from CLOUDLETD_CONFIG\): .*missing\.yaml: cannot read/);
    const cases: [string, RegExp][] = [
      ['carrier: [TDG\n', /^--config: .*\.yaml: not valid YAML: /],
      ['carrier: a\ncarrier: b\n', /^--config: .*\.yaml: not valid YAML: Map keys must be unique at line 2/],
      ['- carrier\n', /^--config: .*\.yaml: must be a mapping of settings/],
      ['carier: TDG\n', /^--config: .*\.yaml: unknown key "carier" \(known: notify-addrs, api-addr, http-addr, carrier, /],
      ['config: other.yaml\n', /^--config: .*\.yaml: unknown key "config"/],
    ];
    for (const [text, expected] of cases) expect(usageFailure(['--config', file(text)]), text).toMatch(expected);
  });

  it('names the flag and the file for a bad value in it', () => {
    const cases: [string, RegExp][] = [
      ['cookie-ttl: 15\n', /^--cookie-ttl \(from .*\.yaml\): "15" is not a duration/],
      ['api-addr: { host: a }\n', /^--api-addr \(from .*\.yaml\): key "api-addr" must be a single value or a list of values/],
      ['notify-addrs: [[a:1]]\n', /^--notify-addrs \(from .*\.yaml\): key "notify-addrs" must be a single value/],
      ['carrier: "a/b"\n', /^--carrier \(from .*\.yaml\): "a\/b" is not an operator name/],
      ['http-addr: 127.0.0.1:50051\n', /^--http-addr \(from .*\.yaml\): 127\.0\.0\.1:50051 is also --api-addr's address/],
    ];
    for (const [text, expected] of cases) expect(usageFailure(['--config', file(text)]), text).toMatch(expected);
  });

  it('accepts exactly the documented keys', () => {
    expect(DME_FILE_KEYS).toEqual(['notify-addrs', 'api-addr', 'http-addr', 'carrier', 'session-key-file', 'cookie-ttl', 'hostname', 'metrics-addr', 'log-level', 'log-format']);
  });
});
