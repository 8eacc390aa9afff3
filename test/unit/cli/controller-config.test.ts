import { describe, expect, it } from 'vitest';
import { CONTROLLER_USAGE, parseControllerArgs, type ControllerCommandConfig } from '../../../src/cli/controller-config.js';
import { MAX_DURATION_MS, parseDuration } from '../../../src/cli/setting-values.js';
import { usageFailureOf } from '../../helpers/usage-failure.js';

function config(argv: string[], env: Record<string, string> = {}): ControllerCommandConfig {
  const parsed = parseControllerArgs(argv, env, 'host1');
  if (parsed.help) throw new Error('unexpected help');
  return parsed.config;
}

/** The one-line message of the usage error thrown, with its code. */
function usageFailure(argv: string[], env: Record<string, string> = {}): string {
  return usageFailureOf(() => parseControllerArgs(argv, env, 'host1'));
}

describe('parseDuration', () => {
  it('parses Go-style durations into milliseconds', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('20m')).toBe(1_200_000);
    expect(parseDuration('3s')).toBe(3_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('0s')).toBe(0);
  });

  it('rejects text that is not a duration', () => {
    for (const bad of ['', '5', 's', '-3s', '3 s', '3d', '3sec', '1h-30m', 'ms', '3s ', '1e3s']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });
});

describe('parseControllerArgs', () => {
  it('has the documented defaults', () => {
    const c = config([]);
    expect(c.controller).toEqual({
      apiAddr: '127.0.0.1:55001',
      notifyAddr: '127.0.0.1:50001',
      httpAddr: '127.0.0.1:36001',
      dataDir: './data',
      store: 'lmdb',
      timeouts: { createMs: 30 * 60_000, updateMs: 20 * 60_000, deleteMs: 20 * 60_000 },
      execTimeoutMs: 6_000,
      controllerId: 'host1@127.0.0.1:55001',
    });
    expect(c.logLevel).toBe('info');
    expect(c.logFormat).toBe('json');
  });

  it('takes flags over the environment over defaults, setting by setting', () => {
    const env = {
      CLOUDLETD_API_ADDR: '0.0.0.0:6000',
      CLOUDLETD_NOTIFY_ADDR: '0.0.0.0:6001',
      CLOUDLETD_STORE: 'memory',
      CLOUDLETD_CREATE_TIMEOUT: '3s',
      CLOUDLETD_LOG_LEVEL: 'debug',
    };
    const c = config(['--api-addr', '127.0.0.1:7000', '--create-timeout=2s', '--log-format', 'pretty'], env);
    expect(c.controller.apiAddr).toBe('127.0.0.1:7000');
    expect(c.controller.notifyAddr).toBe('0.0.0.0:6001');
    expect(c.controller.store).toBe('memory');
    expect(c.controller.timeouts.createMs).toBe(2_000);
    expect(c.controller.timeouts.updateMs).toBe(20 * 60_000);
    expect(c.logLevel).toBe('debug');
    expect(c.logFormat).toBe('pretty');
    expect(c.controller.controllerId).toBe('host1@127.0.0.1:7000');
  });

  it('treats an empty environment variable as unset', () => {
    expect(config([], { CLOUDLETD_STORE: '', CLOUDLETD_DATA_DIR: '' }).controller).toMatchObject({ store: 'lmdb', dataDir: './data' });
  });

  it('takes an explicit controller id, every timeout and the data dir', () => {
    const c = config(['--controller-id', 'ctl-a', '--update-timeout', '1m', '--delete-timeout', '90s', '--exec-timeout', '250ms', '--data-dir', '/var/lib/x'], {
      CLOUDLETD_CONTROLLER_ID: 'from-env',
    });
    expect(c.controller).toMatchObject({ controllerId: 'ctl-a', dataDir: '/var/lib/x', execTimeoutMs: 250 });
    expect(c.controller.timeouts).toEqual({ createMs: 1_800_000, updateMs: 60_000, deleteMs: 90_000 });
    expect(config([], { CLOUDLETD_CONTROLLER_ID: 'from-env' }).controller.controllerId).toBe('from-env');
  });

  it('accepts port 0 and bracketed IPv6 addresses', () => {
    expect(config(['--api-addr', '127.0.0.1:0', '--notify-addr', '[::1]:0', '--http-addr', '127.0.0.1:0']).controller).toMatchObject({
      apiAddr: '127.0.0.1:0', notifyAddr: '[::1]:0', httpAddr: '127.0.0.1:0',
    });
  });

  it('takes the REST gateway address from --http-addr over CLOUDLETD_HTTP_ADDR, and refuses one that is not host:port', () => {
    expect(config([], { CLOUDLETD_HTTP_ADDR: '0.0.0.0:8080' }).controller.httpAddr).toBe('0.0.0.0:8080');
    expect(config(['--http-addr', '127.0.0.1:9000'], { CLOUDLETD_HTTP_ADDR: '0.0.0.0:8080' }).controller.httpAddr).toBe('127.0.0.1:9000');
    expect(() => config(['--http-addr', 'localhost'])).toThrow(/--http-addr/);
    expect(() => config([], { CLOUDLETD_HTTP_ADDR: 'x:99999' })).toThrow(/--http-addr \(from CLOUDLETD_HTTP_ADDR\)/);
  });

  it('returns help for --help and -h', () => {
    expect(parseControllerArgs(['--help'], {}, 'h')).toEqual({ help: true });
    expect(parseControllerArgs(['-h', '--store', 'nonsense'], {}, 'h')).toEqual({ help: true });
    expect(CONTROLLER_USAGE).toContain('--api-addr');
    expect(CONTROLLER_USAGE).toContain('CLOUDLETD_NOTIFY_ADDR');
    expect(CONTROLLER_USAGE).toMatch(/--http-addr\s+CLOUDLETD_HTTP_ADDR\s+REST gateway.*\(default 127\.0\.0\.1:36001\)/);
  });

  it('fails with one line naming the flag for each bad value', () => {
    expect(usageFailure(['--api-addr', 'localhost'])).toMatch(/^--api-addr: "localhost" is not host:port/);
    expect(usageFailure(['--api-addr', '127.0.0.1:70000'])).toMatch(/^--api-addr: /);
    expect(usageFailure(['--notify-addr', ':50001'])).toMatch(/^--notify-addr: /);
    expect(usageFailure(['--store', 'etcd'])).toMatch(/^--store: "etcd" is not one of memory, lmdb/);
    expect(usageFailure(['--log-level', 'loud'])).toMatch(/^--log-level: /);
    expect(usageFailure(['--log-format', 'xml'])).toMatch(/^--log-format: /);
    expect(usageFailure(['--create-timeout', '10'])).toMatch(/^--create-timeout: "10" is not a duration/);
    expect(usageFailure(['--update-timeout', '0s'])).toMatch(/^--update-timeout: must be greater than 0/);
    expect(usageFailure(['--delete-timeout', '1000h'])).toMatch(/^--delete-timeout: must be at most/);
    expect(usageFailure(['--exec-timeout', 'soon'])).toMatch(/^--exec-timeout: /);
    expect(usageFailure(['--data-dir', ' '])).toMatch(/^--data-dir: must not be empty/);
    expect(usageFailure(['--controller-id', ''])).toMatch(/^--controller-id: must not be empty/);
    expect(MAX_DURATION_MS).toBe(2 ** 31 - 1);
  });

  it('names the environment variable when a bad value came from it', () => {
    expect(usageFailure([], { CLOUDLETD_DELETE_TIMEOUT: 'forever' })).toMatch(/^--delete-timeout \(from CLOUDLETD_DELETE_TIMEOUT\): "forever"/);
    expect(usageFailure([], { CLOUDLETD_API_ADDR: 'x' })).toMatch(/^--api-addr \(from CLOUDLETD_API_ADDR\): /);
  });

  it('refuses unknown flags, missing values and positional arguments, naming them', () => {
    expect(usageFailure(['--bogus'])).toMatch(/^--bogus: unknown flag/);
    expect(usageFailure(['--api-addr'])).toMatch(/^--api-addr: needs a value/);
    expect(usageFailure(['extra'])).toMatch(/^extra: unexpected argument/);
    expect(usageFailure(['--help=yes'])).toMatch(/^--help: takes no value/);
  });
});
