import { describe, expect, it } from 'vitest';
import { parseCloudletRef, parseUpArgs, UP_USAGE, type UpConfig } from '../../../src/cli/up-config.js';
import { usageFailureOf } from '../../helpers/usage-failure.js';

function config(argv: string[], env: Record<string, string> = {}): UpConfig {
  const parsed = parseUpArgs(argv, env);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.config;
}

/** The one-line message of the usage error thrown. */
function usageFailure(argv: string[], env: Record<string, string> = {}): string {
  return usageFailureOf(() => parseUpArgs(argv, env));
}

const labels = (c: UpConfig): string[] => c.cloudlets.map((k) => `${k.operator_key?.name ?? ''}/${k.name}`);

describe('parseUpArgs', () => {
  it('has the documented defaults with --demo: every demo cloudlet gets a CRM, logs go to the file', () => {
    const c = config(['--demo']);
    expect(c).toEqual({
      demo: true,
      cloudlets: [
        { operator_key: { name: 'TDG' }, name: 'berlin-edge-1' },
        { operator_key: { name: 'TDG' }, name: 'munich-edge-1' },
        { operator_key: { name: 'Orange' }, name: 'paris-edge-1' },
      ],
      dataDir: './data',
      apiAddr: '127.0.0.1:55001',
      notifyAddr: '127.0.0.1:50001',
      httpAddr: '127.0.0.1:36001',
      metricsAddr: '127.0.0.1:9091',
      dmeApiAddr: '127.0.0.1:50051',
      dmeHttpAddr: '127.0.0.1:38001',
      readyTimeoutMs: 120_000,
      logLevel: 'info',
      logFormat: undefined,
    });
  });

  it('runs CRMs for the first N demo cloudlets with --crms N (0 to all)', () => {
    expect(labels(config(['--demo', '--crms', '1']))).toEqual(['TDG/berlin-edge-1']);
    expect(labels(config(['--demo', '--crms', '0']))).toEqual([]);
    expect(labels(config(['--demo', '--crms=3']))).toHaveLength(3);
    expect(usageFailure(['--demo', '--crms', '4'])).toMatch(/^--crms: must be between 0 and 3/);
    expect(usageFailure(['--demo', '--crms', 'two'])).toMatch(/^--crms: "two" is not a whole number/);
    expect(usageFailure(['--crms', '1', '--cloudlet', 'TDG/x'])).toMatch(/^--crms: only with --demo/);
  });

  it('takes repeated --cloudlet OPERATOR/NAME (or the JSON key) without --demo', () => {
    const c = config(['--cloudlet', 'TDG/berlin-edge-1', '--cloudlet', '{"operator_key":{"name":"Orange"},"name":"lyon edge"}']);
    expect(c.demo).toBe(false);
    expect(labels(c)).toEqual(['TDG/berlin-edge-1', 'Orange/lyon edge']);
    expect(parseCloudletRef('A/b')).toEqual({ operator_key: { name: 'A' }, name: 'b' });
  });

  it('refuses a bad, repeated or conflicting cloudlet, and neither --demo nor --cloudlet', () => {
    expect(usageFailure([])).toMatch(/^--demo or --cloudlet: one is needed/);
    expect(usageFailure(['--cloudlet', 'berlin'])).toMatch(/^--cloudlet: "berlin": .*OPERATOR\/NAME/);
    expect(usageFailure(['--cloudlet', 'TDG/a/b'])).toMatch(/^--cloudlet: /);
    expect(usageFailure(['--cloudlet', 'TDG/-x'])).toMatch(/^--cloudlet: "TDG\/-x": .*must match/);
    expect(usageFailure(['--cloudlet', 'TDG/a', '--cloudlet', 'TDG/a'])).toMatch(/^--cloudlet: TDG\/a is given more than once/);
    expect(usageFailure(['--demo', '--cloudlet', 'TDG/a'])).toMatch(/^--cloudlet: not with --demo/);
  });

  it('takes flags over the environment over defaults', () => {
    const env = {
      CLOUDLETD_API_ADDR: '0.0.0.0:6000',
      CLOUDLETD_NOTIFY_ADDR: '0.0.0.0:6001',
      CLOUDLETD_METRICS_ADDR: '0.0.0.0:6002',
      CLOUDLETD_DME_API_ADDR: '0.0.0.0:6003',
      CLOUDLETD_DME_HTTP_ADDR: '0.0.0.0:6004',
      CLOUDLETD_HTTP_ADDR: '0.0.0.0:6005',
      CLOUDLETD_DATA_DIR: '/var/lib/cloudletd',
      CLOUDLETD_LOG_LEVEL: 'debug',
      CLOUDLETD_READY_TIMEOUT: '30s',
    };
    const fromEnv = config(['--demo'], env);
    expect(fromEnv).toMatchObject({
      apiAddr: '0.0.0.0:6000', notifyAddr: '0.0.0.0:6001', metricsAddr: '0.0.0.0:6002', dmeApiAddr: '0.0.0.0:6003', dmeHttpAddr: '0.0.0.0:6004', httpAddr: '0.0.0.0:6005', dataDir: '/var/lib/cloudletd',
      logLevel: 'debug', readyTimeoutMs: 30_000, logFormat: undefined,
    });
    const fromFlags = config(['--demo', '--api-addr', '127.0.0.1:7000', '--data-dir', 'here', '--ready-timeout', '1m30s', '--dme-http-addr', '127.0.0.1:7001', '--http-addr', '127.0.0.1:7002'], env);
    expect(fromFlags).toMatchObject({ httpAddr: '127.0.0.1:7002', apiAddr: '127.0.0.1:7000', notifyAddr: '0.0.0.0:6001', dataDir: 'here', readyTimeoutMs: 90_000, dmeApiAddr: '0.0.0.0:6003', dmeHttpAddr: '127.0.0.1:7001' });
    expect(config(['--demo'], { CLOUDLETD_API_ADDR: '' }).apiAddr).toBe('127.0.0.1:55001');
  });

  it('accepts port 0 for every listen address', () => {
    const c = config(['--demo', '--api-addr', '127.0.0.1:0', '--notify-addr', '127.0.0.1:0', '--metrics-addr', '[::1]:0', '--dme-api-addr', '127.0.0.1:0', '--dme-http-addr', '0.0.0.0:0', '--http-addr', '127.0.0.1:0']);
    expect([c.apiAddr, c.notifyAddr, c.metricsAddr, c.dmeApiAddr, c.dmeHttpAddr, c.httpAddr]).toEqual(['127.0.0.1:0', '127.0.0.1:0', '[::1]:0', '127.0.0.1:0', '0.0.0.0:0', '127.0.0.1:0']);
  });

  it('sets logFormat only when --log-format or its variable is given', () => {
    expect(config(['--demo']).logFormat).toBeUndefined();
    expect(config(['--demo', '--log-format', 'pretty']).logFormat).toBe('pretty');
    expect(config(['--demo'], { CLOUDLETD_LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('refuses bad values with one line naming the flag (and the variable)', () => {
    expect(usageFailure(['--demo', '--api-addr', 'nowhere'])).toMatch(/^--api-addr: "nowhere" is not host:port/);
    expect(usageFailure(['--demo', '--metrics-addr', '127.0.0.1:70000'])).toMatch(/^--metrics-addr: /);
    expect(usageFailure(['--demo', '--dme-api-addr', '50051'])).toMatch(/^--dme-api-addr: "50051" is not host:port/);
    expect(usageFailure(['--demo'], { CLOUDLETD_DME_HTTP_ADDR: 'x:' })).toMatch(/^--dme-http-addr \(from CLOUDLETD_DME_HTTP_ADDR\): "x:" is not host:port/);
    expect(usageFailure(['--demo'], { CLOUDLETD_NOTIFY_ADDR: 'x' })).toMatch(/^--notify-addr \(from CLOUDLETD_NOTIFY_ADDR\): "x" is not host:port/);
    expect(usageFailure(['--demo', '--ready-timeout', '10'])).toMatch(/^--ready-timeout: "10" is not a duration/);
    expect(usageFailure(['--demo', '--ready-timeout', '0s'])).toMatch(/^--ready-timeout: must be greater than 0/);
    expect(usageFailure(['--demo', '--log-level', 'loud'])).toMatch(/^--log-level: "loud" is not one of trace/);
    expect(usageFailure(['--demo', '--log-format', 'xml'])).toMatch(/^--log-format: "xml" is not one of json, pretty/);
    expect(usageFailure(['--demo', '--data-dir', ' '])).toMatch(/^--data-dir: must not be empty/);
  });

  it('refuses unknown flags, missing values and positional arguments', () => {
    expect(usageFailure(['--demo', '--bogus'])).toMatch(/^--bogus: unknown flag; see cloudletd up --help/);
    expect(usageFailure(['--demo', '--api-addr'])).toMatch(/^--api-addr: needs a value/);
    expect(usageFailure(['--demo', 'extra'])).toMatch(/^extra: unexpected argument/);
    expect(usageFailure(['--demo=yes'])).toMatch(/^--demo: takes no value/);
  });

  it('answers --help (even with other flags, unchecked) and documents every flag', () => {
    expect(parseUpArgs(['--help'], {})).toEqual({ help: true });
    expect(parseUpArgs(['--demo', '-h', '--api-addr', 'nowhere'], {}).help).toBe(true);
    for (const flag of ['--demo', '--cloudlet', '--crms', '--data-dir', '--api-addr', '--notify-addr', '--metrics-addr', '--dme-api-addr', '--dme-http-addr', '--ready-timeout', '--log-level', '--log-format']) {
      expect(UP_USAGE).toContain(flag);
    }
  });
});
