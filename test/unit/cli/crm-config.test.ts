import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CRM_FILE_KEYS, CRM_USAGE, parseCrmArgs, type CrmArgDefaults, type CrmCommandConfig } from '../../../src/cli/crm-config.js';
import { CRM_DEFAULTS } from '../../../src/crm/config.js';
import { usageFailureOf } from '../../helpers/usage-failure.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudletd-crm-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defaults: CrmArgDefaults = { hostname: 'host1', cwd: '/srv/crm', platforms: ['docker', 'fake'] };
const cloudlet = ['--cloudlet', 'TDG/berlin-edge-1'];

function config(argv: string[], env: Record<string, string> = {}, d: CrmArgDefaults = defaults): CrmCommandConfig {
  const parsed = parseCrmArgs(argv, env, d);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.config;
}

/** The one-line message of the usage error thrown, with its code. */
function usageFailure(argv: string[], env: Record<string, string> = {}): string {
  return usageFailureOf(() => parseCrmArgs(argv, env, defaults));
}

let files = 0;
/** Writes `text` to a new file in the temporary directory (or in `sub` of it) and returns its path. */
function file(text: string, sub?: string): string {
  const folder = sub ? join(dir, sub) : dir;
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `crm-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('parseCrmArgs', () => {
  it('has the documented defaults', () => {
    const c = config(cloudlet);
    expect(c.crm).toEqual({
      cloudletKey: { operator_key: { name: 'TDG' }, name: 'berlin-edge-1' },
      notifyAddresses: ['127.0.0.1:50001'],
      hostname: 'host1',
      dataDir: '/srv/crm/crm-data',
      store: 'lmdb',
      concurrency: CRM_DEFAULTS.concurrency,
      operationTimeoutMs: CRM_DEFAULTS.operationTimeoutMs,
      maxAttempts: CRM_DEFAULTS.maxAttempts,
      orphanGraceMs: CRM_DEFAULTS.orphanGraceMs,
      dependencyWaitMs: CRM_DEFAULTS.dependencyWaitMs,
      schedules: { ...CRM_DEFAULTS.schedules },
    });
    expect(c).toMatchObject({ platform: 'fake', platformSettings: {}, dryRun: false, metricsAddress: '127.0.0.1:9091', logLevel: 'info', logFormat: 'json' });
    expect(c.configFile).toBeUndefined();
  });

  it('takes every setting from its flag', () => {
    const c = config([
      '--cloudlet', '{"operator_key":{"name":"AT&T"},"name":"dallas"}',
      '--notify-addrs', 'ctl-1:50001, ctl-2:50002,[::1]:50003',
      '--platform', 'docker',
      '--data-dir', 'state',
      '--store', 'memory',
      '--hostname', 'node-7',
      '--metrics-addr', '0.0.0.0:0',
      '--concurrency', '4',
      '--operation-timeout', '30s',
      '--max-attempts', '5',
      '--orphan-grace', '0s',
      '--dependency-wait', '1m30s',
      '--refresh-schedule', '*/5 * * * * *',
      '--drift-schedule', '0 */2 * * * *',
      '--runtime-schedule', '@hourly',
      '--log-level', 'debug',
      '--log-format', 'pretty',
    ]);
    expect(c.crm).toEqual({
      cloudletKey: { operator_key: { name: 'AT&T' }, name: 'dallas' },
      notifyAddresses: ['ctl-1:50001', 'ctl-2:50002', '[::1]:50003'],
      hostname: 'node-7',
      dataDir: '/srv/crm/state',
      store: 'memory',
      concurrency: 4,
      operationTimeoutMs: 30_000,
      maxAttempts: 5,
      orphanGraceMs: 0,
      dependencyWaitMs: 90_000,
      schedules: { refreshInfo: '*/5 * * * * *', drift: '0 */2 * * * *', runtime: '@hourly' },
    });
    expect(c).toMatchObject({ platform: 'docker', dryRun: false, metricsAddress: '0.0.0.0:0', logLevel: 'debug', logFormat: 'pretty' });
  });

  it('takes flags over the environment over defaults, setting by setting', () => {
    const env = {
      CLOUDLETD_CLOUDLET: 'TDG/from-env',
      CLOUDLETD_NOTIFY_ADDRS: 'env-ctl:50001',
      CLOUDLETD_STORE: 'memory',
      CLOUDLETD_OPERATION_TIMEOUT: '3s',
      CLOUDLETD_CONCURRENCY: '2',
      CLOUDLETD_LOG_LEVEL: 'warn',
      CLOUDLETD_DRIFT_SCHEDULE: '0 0 * * *',
      CLOUDLETD_DATA_DIR: '/var/lib/crm',
    };
    const c = config(['--cloudlet', 'TDG/from-flag', '--operation-timeout=2s', '--log-level', 'error'], env);
    expect(c.crm.cloudletKey.name).toBe('from-flag');
    expect(c.crm).toMatchObject({ notifyAddresses: ['env-ctl:50001'], store: 'memory', operationTimeoutMs: 2_000, concurrency: 2, dataDir: '/var/lib/crm' });
    expect(c.crm.schedules.drift).toBe('0 0 * * *');
    expect(c.logLevel).toBe('error');
    expect(config([], env).crm.cloudletKey.name).toBe('from-env');
  });

  it('treats an empty environment variable as unset', () => {
    expect(config(cloudlet, { CLOUDLETD_STORE: '', CLOUDLETD_PLATFORM: '', CLOUDLETD_DRY_RUN: '' })).toMatchObject({ platform: 'fake', dryRun: false, crm: { store: 'lmdb' } });
  });

  it('defaults --hostname to the host name it is given', () => {
    expect(config(cloudlet, {}, { ...defaults, hostname: 'edge-host' }).crm.hostname).toBe('edge-host');
    expect(config(cloudlet, { CLOUDLETD_HOSTNAME: 'env-host' }).crm.hostname).toBe('env-host');
  });

  it('returns help for --help and -h before validating anything', () => {
    expect(parseCrmArgs(['--help'], {}, defaults)).toEqual({ help: true });
    expect(parseCrmArgs(['-h', '--store', 'nonsense', '--config', '/nowhere.yaml'], {}, defaults)).toEqual({ help: true });
  });

  it('lists every flag with its variable and default in the usage', () => {
    const flags = [
      'cloudlet', 'notify-addrs', 'platform', 'dry-run', 'data-dir', 'store', 'hostname', 'metrics-addr', 'concurrency', 'operation-timeout',
      'max-attempts', 'orphan-grace', 'dependency-wait', 'refresh-schedule', 'drift-schedule', 'runtime-schedule', 'log-level', 'log-format',
      'fake-latency', 'fake-fail', 'fake-hang', 'fake-fault-rate', 'config',
    ];
    for (const flag of flags) {
      const line = CRM_USAGE.split('\n').find((l) => l.startsWith(`  --${flag} `));
      expect(line, flag).toBeDefined();
      expect(line).toContain(`CLOUDLETD_${flag.toUpperCase().replaceAll('-', '_')}`);
    }
    expect(CRM_USAGE).toContain('(default 127.0.0.1:9091)');
    expect(CRM_USAGE).toContain('(default 15m)');
    expect(CRM_USAGE).toContain(`(default ${CRM_DEFAULTS.schedules.drift})`);
  });

  it('fails with one line naming the flag for each bad value', () => {
    const cases: [string[], RegExp][] = [
      [[], /^--cloudlet: required/],
      [['--cloudlet', 'berlin'], /^--cloudlet: "berlin" is neither OPERATOR\/NAME nor a JSON cloudlet key/],
      [['--cloudlet', 'TDG/'], /^--cloudlet: invalid name: must not be empty/],
      [['--cloudlet', '{"name":'], /^--cloudlet: not valid JSON/],
      [[...cloudlet, '--notify-addrs', 'ctl'], /^--notify-addrs: "ctl" is not host:port \(port 1\.\.65535\)/],
      [[...cloudlet, '--notify-addrs', 'a:1,b:0'], /^--notify-addrs: "b:0" is not host:port/],
      [[...cloudlet, '--notify-addrs', ' , '], /^--notify-addrs: needs at least one host:port/],
      [[...cloudlet, '--platform', 'openstack'], /^--platform: "openstack" is not one of docker, fake/],
      [[...cloudlet, '--data-dir', ' '], /^--data-dir: must not be empty/],
      [[...cloudlet, '--store', 'etcd'], /^--store: "etcd" is not one of memory, lmdb/],
      [[...cloudlet, '--hostname', ''], /^--hostname: must not be empty/],
      [[...cloudlet, '--metrics-addr', '9091'], /^--metrics-addr: "9091" is not host:port \(port 0\.\.65535\)/],
      [[...cloudlet, '--concurrency', '0'], /^--concurrency: must be between 1 and 1024/],
      [[...cloudlet, '--concurrency', 'many'], /^--concurrency: "many" is not a whole number/],
      [[...cloudlet, '--operation-timeout', '15'], /^--operation-timeout: "15" is not a duration/],
      [[...cloudlet, '--operation-timeout', '0s'], /^--operation-timeout: must be greater than 0/],
      [[...cloudlet, '--max-attempts=-1'], /^--max-attempts: "-1" is not a whole number/],
      [[...cloudlet, '--orphan-grace', 'soon'], /^--orphan-grace: "soon" is not a duration/],
      [[...cloudlet, '--dependency-wait', '1000h'], /^--dependency-wait: must be at most/],
      [[...cloudlet, '--refresh-schedule', '* * *'], /^--refresh-schedule: "\* \* \*" is not a cron pattern: invalid configuration format/],
      [[...cloudlet, '--drift-schedule', '61 * * * *'], /^--drift-schedule: "61 \* \* \* \*" is not a cron pattern: Invalid value for minute/],
      [[...cloudlet, '--runtime-schedule', '0 0 31 2 *'], /^--runtime-schedule: "0 0 31 2 \*" never fires/],
      [[...cloudlet, '--log-level', 'loud'], /^--log-level: /],
      [[...cloudlet, '--log-format', 'xml'], /^--log-format: "xml" is not one of json, pretty/],
    ];
    for (const [argv, expected] of cases) expect(usageFailure(argv), argv.join(' ')).toMatch(expected);
  });

  it('names the environment variable when a bad value came from it', () => {
    expect(usageFailure(cloudlet, { CLOUDLETD_OPERATION_TIMEOUT: 'forever' })).toMatch(/^--operation-timeout \(from CLOUDLETD_OPERATION_TIMEOUT\): "forever"/);
    expect(usageFailure([], { CLOUDLETD_CLOUDLET: 'x' })).toMatch(/^--cloudlet \(from CLOUDLETD_CLOUDLET\): "x" is neither/);
    expect(usageFailure(cloudlet, { CLOUDLETD_DRY_RUN: 'maybe' })).toMatch(/^--dry-run \(from CLOUDLETD_DRY_RUN\): "maybe" is not true or false/);
  });

  it('refuses unknown flags, missing values and positional arguments, naming them', () => {
    expect(usageFailure(['--bogus'])).toMatch(/^--bogus: unknown flag; see cloudletd crm --help/);
    expect(usageFailure(['--cloudlet'])).toMatch(/^--cloudlet: needs a value/);
    expect(usageFailure([...cloudlet, 'extra'])).toMatch(/^extra: unexpected argument/);
    expect(usageFailure([...cloudlet, '--dry-run=yes'])).toMatch(/^--dry-run: takes no value/);
  });
});

describe('parseCrmArgs --dry-run', () => {
  it('runs the fake platform without persistence on the memory store', () => {
    const c = config([...cloudlet, '--dry-run']);
    expect(c).toMatchObject({ dryRun: true, platform: 'fake', platformSettings: { persist: false }, crm: { store: 'memory' } });
  });

  it('wins over the configured platform and store, dropping the other driver settings', () => {
    const path = file('platform:\n  type: docker\n  settings: { host: unix:///var/run/docker.sock }\nstore: lmdb\n');
    const c = config([...cloudlet, '--config', path, '--dry-run']);
    expect(c).toMatchObject({ dryRun: true, platform: 'fake', platformSettings: { persist: false }, crm: { store: 'memory' } });
    expect(config([...cloudlet, '--platform', 'docker'], { CLOUDLETD_DRY_RUN: 'true' }).platform).toBe('fake');
    expect(config(cloudlet, { CLOUDLETD_DRY_RUN: '0' }).dryRun).toBe(false);
  });

  it('keeps the fake settings of the file and the fake flags', () => {
    const path = file('platform:\n  type: fake\n  settings:\n    limits: { vcores: 8 }\n    persist: true\n');
    const c = config([...cloudlet, '--config', path, '--dry-run', '--fake-hang', 'exec']);
    expect(c.platformSettings).toEqual({ limits: { vcores: 8 }, hang: ['exec'], persist: false });
  });

  it('needs the fake platform', () => {
    expect(() => config([...cloudlet, '--dry-run', '--platform', 'docker'], {}, { ...defaults, platforms: ['docker'] })).toThrow(/^--dry-run: needs the fake platform/);
  });
});

describe('parseCrmArgs fake-* flags', () => {
  it('merge into the fake platform settings', () => {
    const c = config([
      ...cloudlet,
      '--fake-latency', 'createClusterInst=2s, deleteAppInst=150',
      '--fake-latency', 'init=500ms,*=5',
      '--fake-fail', 'createAppInst=image not found, sorry',
      '--fake-fail', 'exec=no shell',
      '--fake-hang', 'deleteClusterInst,updateClusterInst',
      '--fake-fault-rate', '0.25',
    ]);
    expect(c.platformSettings).toEqual({
      latency: { createClusterInst: 2_000, deleteAppInst: 150, init: 500, '*': 5 },
      fail: { createAppInst: 'image not found, sorry', exec: 'no shell' },
      hang: ['deleteClusterInst', 'updateClusterInst'],
      faultRate: 0.25,
    });
  });

  it('come from the environment too, one value per variable', () => {
    const c = config(cloudlet, { CLOUDLETD_FAKE_LATENCY: 'listInstances=1s', CLOUDLETD_FAKE_FAIL: 'gatherResources=quota', CLOUDLETD_FAKE_HANG: 'init', CLOUDLETD_FAKE_FAULT_RATE: '1' });
    expect(c.platformSettings).toEqual({ latency: { listInstances: 1_000 }, fail: { gatherResources: 'quota' }, hang: ['init'], faultRate: 1 });
  });

  it('add to the settings of the config file (flags win per operation)', () => {
    const path = file(
      'platform:\n  type: fake\n  settings:\n    latency: { init: 10, exec: 20 }\n    hang: [exec]\n    fail: { init: boom }\n    faultRate: 0.5\n',
    );
    const c = config([...cloudlet, '--config', path, '--fake-latency', 'init=30', '--fake-hang', 'init', '--fake-fault-rate', '0']);
    expect(c.platformSettings).toEqual({ latency: { init: 30, exec: 20 }, hang: ['exec', 'init'], fail: { init: 'boom' }, faultRate: 0 });
  });

  it('name the flag for a bad value or an unknown operation', () => {
    expect(usageFailure([...cloudlet, '--fake-latency', 'init'])).toMatch(/^--fake-latency: "init" is not OP=DURATION/);
    expect(usageFailure([...cloudlet, '--fake-latency', 'boot=1s'])).toMatch(/^--fake-latency: unknown operation "boot" \(operations: init, /);
    expect(usageFailure([...cloudlet, '--fake-latency', 'init=fast'])).toMatch(/^--fake-latency: "fast" is not a duration/);
    expect(usageFailure([...cloudlet, '--fake-fail', 'exec='])).toMatch(/^--fake-fail: needs a message after "exec="/);
    expect(usageFailure([...cloudlet, '--fake-fail', 'exec'])).toMatch(/^--fake-fail: "exec" is not OP=MESSAGE/);
    expect(usageFailure([...cloudlet, '--fake-hang', 'init,nap'])).toMatch(/^--fake-hang: unknown operation "nap"/);
    expect(usageFailure([...cloudlet, '--fake-hang', ','])).toMatch(/^--fake-hang: needs at least one operation/);
    expect(usageFailure([...cloudlet, '--fake-fault-rate', '1.5'])).toMatch(/^--fake-fault-rate: must be between 0 and 1/);
    expect(usageFailure([...cloudlet, '--fake-fault-rate', 'often'])).toMatch(/^--fake-fault-rate: "often" is not a number/);
    expect(usageFailure(cloudlet, { CLOUDLETD_FAKE_HANG: 'sleep' })).toMatch(/^--fake-hang \(from CLOUDLETD_FAKE_HANG\): unknown operation/);
  });

  it('are refused for another platform', () => {
    expect(usageFailure([...cloudlet, '--platform', 'docker', '--fake-hang', 'init'])).toMatch(/^--fake-hang: only for the fake platform \(platform is "docker"\)/);
  });
});

describe('parseCrmArgs --config file', () => {
  const full = [
    '# a CRM of the Berlin edge',
    'cloudlet: TDG/berlin-edge-1',
    'notify-addrs: [ctl-1:50001, ctl-2:50001]',
    'data-dir: state',
    'store: memory',
    'hostname: edge-node',
    'metrics-addr: 127.0.0.1:0',
    'concurrency: 8',
    'operation-timeout: 20m',
    'max-attempts: 4',
    'orphan-grace: 2m',
    'dependency-wait: 30s',
    "refresh-schedule: '*/10 * * * * *'",
    "drift-schedule: '*/40 * * * * *'",
    "runtime-schedule: '*/50 * * * * *'",
    'log-level: debug',
    'log-format: pretty',
    'platform:',
    '  type: fake',
    '  settings:',
    '    limits: { ram: 1024, vcores: 4 }',
    '',
  ].join('\n');

  it('reads every setting, with paths relative to the file', () => {
    const path = file(full, 'etc');
    const c = config(['--config', path]);
    expect(c.crm).toEqual({
      cloudletKey: { operator_key: { name: 'TDG' }, name: 'berlin-edge-1' },
      notifyAddresses: ['ctl-1:50001', 'ctl-2:50001'],
      hostname: 'edge-node',
      dataDir: join(dir, 'etc', 'state'),
      store: 'memory',
      concurrency: 8,
      operationTimeoutMs: 1_200_000,
      maxAttempts: 4,
      orphanGraceMs: 120_000,
      dependencyWaitMs: 30_000,
      schedules: { refreshInfo: '*/10 * * * * *', drift: '*/40 * * * * *', runtime: '*/50 * * * * *' },
    });
    expect(c).toMatchObject({ platform: 'fake', platformSettings: { limits: { ram: 1024, vcores: 4 } }, metricsAddress: '127.0.0.1:0', logLevel: 'debug', logFormat: 'pretty', configFile: path });
  });

  it('is found through CLOUDLETD_CONFIG and relative to the working directory', () => {
    const path = file('cloudlet: TDG/env-file\n', 'cwd');
    const c = config([], { CLOUDLETD_CONFIG: path.slice(join(dir, 'cwd').length + 1) }, { ...defaults, cwd: join(dir, 'cwd') });
    expect(c.crm.cloudletKey.name).toBe('env-file');
  });

  it('ranks below flags and the environment, above the defaults', () => {
    const path = file('cloudlet: TDG/from-file\nconcurrency: 8\nmax-attempts: 9\nstore: memory\n');
    const c = config(['--config', path, '--concurrency', '2'], { CLOUDLETD_MAX_ATTEMPTS: '7' });
    expect(c.crm).toMatchObject({ cloudletKey: { name: 'from-file' }, concurrency: 2, maxAttempts: 7, store: 'memory', operationTimeoutMs: CRM_DEFAULTS.operationTimeoutMs });
    expect(config(['--config', path, '--data-dir', 'x']).crm.dataDir).toBe('/srv/crm/x');
  });

  it('takes the cloudlet key as a mapping, a platform name alone, a list or a string of addresses, and a boolean dry run', () => {
    const path = file('cloudlet:\n  operator_key: { name: TDG }\n  name: munich\nplatform: docker\nnotify-addrs: a:1,b:2\ndry-run: false\n');
    const c = config(['--config', path]);
    expect(c.crm.cloudletKey).toEqual({ operator_key: { name: 'TDG' }, name: 'munich' });
    expect(c).toMatchObject({ platform: 'docker', platformSettings: {}, dryRun: false, crm: { notifyAddresses: ['a:1', 'b:2'] } });
    expect(config(['--config', file('cloudlet: TDG/x\ndry-run: true\n')]).dryRun).toBe(true);
  });

  it('uses the platform settings only for the driver the file names', () => {
    const path = file('cloudlet: TDG/x\nplatform: { type: docker, settings: { host: tcp://d:2375 } }\n');
    expect(config(['--config', path]).platformSettings).toEqual({ host: 'tcp://d:2375' });
    expect(config(['--config', path, '--platform', 'fake']).platformSettings).toEqual({});
    const untyped = file('cloudlet: TDG/x\nplatform: { settings: { seed: 7 } }\n');
    expect(config(['--config', untyped, '--platform', 'docker'])).toMatchObject({ platform: 'docker', platformSettings: { seed: 7 } });
  });

  it('treats an empty file or a key without value as unset', () => {
    expect(config([...cloudlet, '--config', file('')]).crm.store).toBe('lmdb');
    expect(config([...cloudlet, '--config', file('# nothing yet\nstore:\n')]).crm.store).toBe('lmdb');
  });

  it('fails with one line naming the file, and the key, for a bad file', () => {
    const missing = join(dir, 'missing.yaml');
    expect(usageFailure(['--config', missing])).toBe(`--config: ${missing}: cannot read: no such file`);
    expect(usageFailure(['--config', dir])).toBe(`--config: ${dir}: cannot read: is a directory`);
    expect(usageFailure([], { CLOUDLETD_CONFIG: missing })).toMatch(/^--config \(from CLOUDLETD_CONFIG\): .*missing\.yaml: cannot read/);
    const cases: [string, RegExp][] = [
      ['cloudlet: [TDG\n', /^--config: .*\.yaml: not valid YAML: .* at line \d+, column \d+:$/],
      ['store: memory\nstore: lmdb\n', /^--config: .*\.yaml: not valid YAML: Map keys must be unique at line 2/],
      ['a: 1\n---\nb: 2\n', /^--config: .*\.yaml: not valid YAML: Source contains multiple documents/],
      ['store: *nothing\n', /^--config: .*\.yaml: not valid YAML: /],
      ['- store\n', /^--config: .*\.yaml: must be a mapping of settings/],
      ['concurency: 4\n', /^--config: .*\.yaml: unknown key "concurency" \(known: cloudlet, notify-addrs, /],
      ['config: other.yaml\n', /^--config: .*\.yaml: unknown key "config"/],
      ['fake-hang: init\n', /^--config: .*\.yaml: unknown key "fake-hang"/],
    ];
    for (const [text, expected] of cases) expect(usageFailure(['--config', file(text)]), text).toMatch(expected);
  });

  it('names the flag and the file for a bad value in it', () => {
    const cases: [string, RegExp][] = [
      ['operation-timeout: 15\n', /^--operation-timeout \(from .*\.yaml\): "15" is not a duration/],
      ['concurrency: 0\n', /^--concurrency \(from .*\.yaml\): must be between 1 and 1024/],
      ['metrics-addr: { host: a }\n', /^--metrics-addr \(from .*\.yaml\): key "metrics-addr" must be a single value or a list of values/],
      ['notify-addrs: [[a:1]]\n', /^--notify-addrs \(from .*\.yaml\): key "notify-addrs" must be a single value/],
      ['dry-run: maybe\n', /^--dry-run \(from .*\.yaml\): "maybe" is not true or false/],
      ['platform: [fake]\n', /^--platform \(from .*\.yaml\): key "platform" must be a driver name or a mapping/],
      ['platform: { kind: fake }\n', /^--platform \(from .*\.yaml\): unknown key "platform.kind" \(known: type, settings\)/],
      ['platform: { type: 3 }\n', /^--platform \(from .*\.yaml\): key "platform.type" must be a driver name/],
      ['platform: { settings: [1] }\n', /^--platform \(from .*\.yaml\): key "platform.settings" must be a mapping/],
      ['platform: openstack\n', /^--platform \(from .*\.yaml\): "openstack" is not one of docker, fake/],
    ];
    for (const [text, expected] of cases) expect(usageFailure([...cloudlet, '--config', file(text)]), text).toMatch(expected);
    expect(usageFailure(['--config', file('cloudlet: { name: x }\n')])).toMatch(/^--cloudlet \(from .*\.yaml\): invalid operator_key\.name: must not be empty/);
  });

  it('accepts exactly the documented keys', () => {
    expect(CRM_FILE_KEYS).toEqual([
      'cloudlet', 'notify-addrs', 'platform', 'dry-run', 'data-dir', 'store', 'hostname', 'metrics-addr', 'concurrency', 'operation-timeout',
      'max-attempts', 'orphan-grace', 'dependency-wait', 'refresh-schedule', 'drift-schedule', 'runtime-schedule', 'log-level', 'log-format',
    ]);
  });

  it('takes the docker socket from --docker-socket, else DOCKER_HOST, and the publish IP from --docker-host-ip', () => {
    const docker = [...cloudlet, '--platform', 'docker'];
    expect(config([...docker, '--docker-socket', '/run/d.sock', '--docker-host-ip', '127.0.0.1']).platformSettings).toEqual({ socketPath: '/run/d.sock', hostIp: '127.0.0.1' });
    expect(config(docker, { DOCKER_HOST: 'unix:///var/run/other.sock' }).platformSettings).toEqual({ socketPath: '/var/run/other.sock' });
    expect(config(docker, { DOCKER_HOST: 'tcp://10.0.0.1:2375' }).platformSettings).toEqual({});
    expect(config(docker, { CLOUDLETD_DOCKER_SOCKET: '/s.sock' }).platformSettings).toEqual({ socketPath: '/s.sock' });
    expect(usageFailure([...cloudlet, '--docker-socket', '/x.sock'])).toMatch(/^--docker-socket: only for the docker platform/);
  });
});
