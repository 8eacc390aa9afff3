// The systemd deployment in systemd/: the units pass `systemd-analyze verify` without a word (checked by
// scripts/verify-systemd-units.sh, which must also catch broken units), the example env files name only real
// variables of their command and hold values the command accepts, and every unit keeps its hardening.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseControllerArgs } from '../../../src/cli/controller-config.js';
import { parseCrmArgs } from '../../../src/cli/crm-config.js';
import { parseDmeArgs } from '../../../src/cli/dme-config.js';
import { REPO_ROOT } from '../../helpers/controller-process.js';

const UNIT_DIR = join(REPO_ROOT, 'systemd');
const CHECKER = join(REPO_ROOT, 'scripts', 'verify-systemd-units.sh');
const ROLES = ['controller', 'crm', 'dme'] as const;
type Role = (typeof ROLES)[number];

const scratch = mkdtempSync(join(tmpdir(), 'cloudletd-systemd-units-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Fails (never skips) when systemd's offline tools are missing: CI installs them. */
function requireSystemdAnalyze(): void {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'systemd-analyze not found: install the Debian package systemd (apt-get install -y systemd); ' +
        'the unit checks run offline and need no running systemd',
    );
  }
}

interface CheckResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runChecker(dir?: string): CheckResult {
  requireSystemdAnalyze();
  const result = spawnSync('bash', [CHECKER, ...(dir === undefined ? [] : [dir])], { encoding: 'utf8', timeout: 15_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of systemd/ in a fresh folder, for breaking on purpose. */
function copyOfUnits(name: string): string {
  const dir = join(scratch, name);
  cpSync(UNIT_DIR, dir, { recursive: true });
  return dir;
}

function replaceLine(file: string, from: RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text, `${file} has a line matching ${String(from)}`).toMatch(from);
  writeFileSync(file, text.replace(from, to));
}

/** A unit file as [section, key, value] entries in order (comments and blank lines dropped). */
function readUnit(file: string): Array<{ section: string; key: string; value: string }> {
  const entries: Array<{ section: string; key: string; value: string }> = [];
  let section = '';
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    expect(eq, `${file}: "${line}" is key=value`).toBeGreaterThan(0);
    entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return entries;
}

/** The values of `key` in `section`, in order. */
function valuesOf(unit: ReturnType<typeof readUnit>, section: string, key: string): string[] {
  return unit.filter((e) => e.section === section && e.key === key).map((e) => e.value);
}

interface EnvFile {
  /** The assignments systemd applies. */
  readonly active: Record<string, string>;
  /** The commented-out examples (`#CLOUDLETD_X=value`). */
  readonly examples: Record<string, string>;
}

function unquote(value: string): string {
  const v = value.trim();
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0] ? v.slice(1, -1) : v;
}

/** Reads an env file the way EnvironmentFile= does (for the simple forms the examples use). */
function readEnvFile(role: Role): EnvFile {
  const active: Record<string, string> = {};
  const examples: Record<string, string> = {};
  const file = join(UNIT_DIR, 'env', `${role}.env`);
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const example = /^[#;]\s*(CLOUDLETD_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (example) {
      examples[example[1]!] = unquote(example[2]!);
      continue;
    }
    if (line.startsWith('#') || line.startsWith(';')) continue;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    expect(assignment, `${file}: "${line}" is KEY=VALUE`).not.toBeNull();
    active[assignment![1]!] = unquote(assignment![2]!);
  }
  return { active, examples };
}

/** Every CLOUDLETD_* name that occurs anywhere in the role's env file, comments included. */
function namesInEnvFile(role: Role): Set<string> {
  return new Set(readFileSync(join(UNIT_DIR, 'env', `${role}.env`), 'utf8').match(/CLOUDLETD_[A-Z0-9_]+/g) ?? []);
}

/** The variables `cloudletd <role> --help` lists, one per flag. */
function helpVariables(role: Role): Set<string> {
  const help = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', role, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const names = [...help.matchAll(/^\s+--[a-z][a-z-]*\s+(CLOUDLETD_[A-Z0-9_]+)\s/gm)].map((m) => m[1]!);
  expect(names.length, `variables in \`cloudletd ${role} --help\``).toBeGreaterThan(3);
  return new Set(names);
}

/** Parses the role's configuration from `env` alone, as `cloudletd <role>` would at start; throws a usage error. */
function parseRoleEnv(role: Role, env: Record<string, string>): void {
  const defaults = { hostname: 'edge-host', cwd: '/var/lib/cloudletd' };
  const parsed =
    role === 'controller' ? parseControllerArgs([], env, defaults.hostname)
    : role === 'crm' ? parseCrmArgs([], env, { ...defaults, platforms: ['docker', 'fake'] })
    : parseDmeArgs([], env, defaults);
  expect(parsed.help).toBe(false);
}

/** Hardening every unit carries, with the exact value. */
const HARDENING: Readonly<Record<string, string>> = {
  NoNewPrivileges: 'yes',
  CapabilityBoundingSet: '',
  AmbientCapabilities: '',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  ProtectHostname: 'yes',
  ProtectClock: 'yes',
  ProtectKernelTunables: 'yes',
  ProtectKernelModules: 'yes',
  ProtectKernelLogs: 'yes',
  ProtectControlGroups: 'yes',
  ProtectProc: 'invisible',
  RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6',
  RestrictNamespaces: 'yes',
  RestrictRealtime: 'yes',
  RestrictSUIDSGID: 'yes',
  LockPersonality: 'yes',
  RemoveIPC: 'yes',
  SystemCallArchitectures: 'native',
  SystemCallErrorNumber: 'EPERM',
  UMask: '0077',
  KillSignal: 'SIGTERM',
  Restart: 'on-failure',
  Type: 'exec',
  User: 'cloudletd',
  Group: 'cloudletd',
};

/** The setting of each role that holds its state, and so must point into its state directory. */
const STATE_VARIABLE: Readonly<Record<Role, string>> = {
  controller: 'CLOUDLETD_DATA_DIR',
  crm: 'CLOUDLETD_DATA_DIR',
  dme: 'CLOUDLETD_SESSION_KEY_FILE',
};

describe('systemd units: scripts/verify-systemd-units.sh', () => {
  it('passes the shipped units, drop-in and sysusers file with no output at all', () => {
    const result = runChecker();
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  const breakages: ReadonlyArray<{ name: string; expected: string; breakIt: (dir: string) => void }> = [
    {
      name: 'an unknown directive in a unit',
      expected: "Unknown key 'RestartSteps'",
      breakIt: (dir) => replaceLine(join(dir, 'cloudletd-controller.service'), /^RestartSec=5s$/m, 'RestartSec=5s\nRestartSteps=5'),
    },
    {
      name: 'a bad Restart= value',
      expected: 'sometimes',
      breakIt: (dir) => replaceLine(join(dir, 'cloudletd-dme.service'), /^Restart=on-failure$/m, 'Restart=sometimes'),
    },
    {
      name: 'a bad time value',
      expected: 'Failed to parse',
      breakIt: (dir) => replaceLine(join(dir, 'cloudletd-crm.service'), /^TimeoutStopSec=.*$/m, 'TimeoutStopSec=forty-five'),
    },
    {
      name: 'an unknown directive in the docker drop-in',
      expected: "Unknown key 'Frobnicate'",
      breakIt: (dir) => appendFileSync(join(dir, 'cloudletd-crm.service.d', 'docker.conf'), 'Frobnicate=yes\n'),
    },
    {
      name: 'an ExecStart= binary that is not the installed cloudletd',
      expected: 'not executable',
      breakIt: (dir) => replaceLine(join(dir, 'cloudletd-crm.service'), /^ExecStart=.*$/m, 'ExecStart=/usr/local/bin/cloudletd-missing crm'),
    },
    {
      name: 'a broken sysusers line',
      expected: 'cloudletd.sysusers.conf',
      breakIt: (dir) => appendFileSync(join(dir, 'cloudletd.sysusers.conf'), 'q cloudletd\n'),
    },
  ];

  for (const { name, expected, breakIt } of breakages) {
    it(`fails on ${name}, saying what systemd said`, () => {
      const dir = copyOfUnits(name.replace(/[^a-z]+/gi, '-'));
      breakIt(dir);
      const result = runChecker(dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(expected);
      expect(result.stderr).toContain('FAILED');
    });
  }
});

describe('systemd units: content', () => {
  it('ships a unit, an example env file and nothing unexpected per role', () => {
    expect(readdirSync(UNIT_DIR).filter((f) => f.endsWith('.service')).sort()).toEqual(ROLES.map((r) => `cloudletd-${r}.service`));
    expect(readdirSync(join(UNIT_DIR, 'env')).sort()).toEqual(ROLES.map((r) => `${r}.env`));
  });

  for (const role of ROLES) {
    it(`cloudletd-${role}.service runs the installed binary as cloudletd, configured by its env file only, hardened`, () => {
      const file = join(UNIT_DIR, `cloudletd-${role}.service`);
      const unit = readUnit(file);
      const service = (key: string): string[] => valuesOf(unit, 'Service', key);
      expect(service('ExecStart')).toEqual([`/usr/local/bin/cloudletd ${role}`]);
      expect(service('EnvironmentFile')).toEqual([`/etc/cloudletd/${role}.env`]);
      expect(service('Environment'), 'configuration comes only from the env file').toEqual([]);
      expect(service('StateDirectory')).toEqual([`cloudletd/${role}`]);
      expect(service('ReadWritePaths')).toEqual([`/var/lib/cloudletd/${role}`]);
      for (const [key, value] of Object.entries(HARDENING)) {
        expect(service(key), `${key}= in cloudletd-${role}.service`).toEqual([value]);
      }
      expect(service('SystemCallFilter')).toContain('@system-service @pkey');
      expect(Number.parseInt(service('RestartSec')[0] ?? '', 10)).toBeGreaterThan(0);
      expect(Number.parseInt(service('TimeoutStopSec')[0] ?? '', 10), 'the graceful stop needs its time').toBeGreaterThanOrEqual(15);
      expect(valuesOf(unit, 'Unit', 'StartLimitIntervalSec')).toHaveLength(1);
      expect(valuesOf(unit, 'Unit', 'StartLimitBurst')).toHaveLength(1);
      expect(valuesOf(unit, 'Install', 'WantedBy')).toEqual(['multi-user.target']);
      // V8's JIT needs writable and executable memory; systemd 252 does not know the newer restart backoff keys.
      for (const absent of ['MemoryDenyWriteExecute', 'RestartSteps', 'RestartMaxDelaySec', 'DynamicUser']) {
        expect(unit.filter((e) => e.key === absent), `${absent}= must not be set`).toEqual([]);
      }
    });
  }

  it('gives the CRM the docker group only through the docker drop-in', () => {
    const dropIn = readUnit(join(UNIT_DIR, 'cloudletd-crm.service.d', 'docker.conf'));
    expect(valuesOf(dropIn, 'Service', 'SupplementaryGroups')).toEqual(['docker']);
    for (const role of ROLES) {
      expect(valuesOf(readUnit(join(UNIT_DIR, `cloudletd-${role}.service`)), 'Service', 'SupplementaryGroups')).toEqual([]);
    }
  });

  it('creates the cloudletd system user with systemd-sysusers', () => {
    const lines = readFileSync(join(UNIT_DIR, 'cloudletd.sysusers.conf'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^u\s+cloudletd\s+-\s+"[^"]+"\s+\/var\/lib\/cloudletd$/);
  });
});

describe('systemd units: example env files', () => {
  for (const role of ROLES) {
    it(`${role}.env names exactly the variables of \`cloudletd ${role} --help\``, () => {
      const known = helpVariables(role);
      const named = namesInEnvFile(role);
      const unknown = [...named].filter((n) => !known.has(n));
      expect(unknown, `variables in systemd/env/${role}.env that \`cloudletd ${role}\` does not read`).toEqual([]);
      const missing = [...known].filter((n) => !named.has(n));
      expect(missing, `variables of \`cloudletd ${role}\` missing from systemd/env/${role}.env`).toEqual([]);
      const { active, examples } = readEnvFile(role);
      for (const name of [...Object.keys(active), ...Object.keys(examples)]) expect(known.has(name), name).toBe(true);
    });
  }

  for (const role of ROLES) {
    it(`${role}.env is accepted by \`cloudletd ${role}\`, with and without its commented examples`, () => {
      const { active, examples } = readEnvFile(role);
      expect(() => parseRoleEnv(role, active)).not.toThrow();
      // The examples too, except the config file, which does not exist here. The CRM's docker-* and fake-* settings
      // are refused with the other platform, so each group is tried with its own.
      const { CLOUDLETD_CONFIG: _config, ...rest } = examples;
      const only = (prefix: string): Record<string, string> => Object.fromEntries(Object.entries(rest).filter(([name]) => !name.startsWith(prefix)));
      if (role === 'crm') {
        expect(() => parseRoleEnv(role, { ...active, ...only('CLOUDLETD_DOCKER_'), CLOUDLETD_PLATFORM: 'fake' })).not.toThrow();
        expect(() => parseRoleEnv(role, { ...active, ...only('CLOUDLETD_FAKE_'), CLOUDLETD_PLATFORM: 'docker' })).not.toThrow();
      } else {
        expect(() => parseRoleEnv(role, { ...active, ...rest })).not.toThrow();
      }
    });
  }

  for (const role of ROLES) {
    it(`${role}.env listens on loopback only and keeps its state in /var/lib/cloudletd/${role}`, () => {
      const { active } = readEnvFile(role);
      const listeners = Object.entries(active).filter(([name]) => /_ADDR$/.test(name) && name !== 'CLOUDLETD_NOTIFY_ADDRS');
      expect(listeners.length).toBeGreaterThan(0);
      for (const [name, value] of listeners) expect(value, name).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(active[STATE_VARIABLE[role]]).toMatch(new RegExp(`^/var/lib/cloudletd/${role}(/|$)`));
      expect(active.CLOUDLETD_LOG_FORMAT).toBe('json');
    });
  }

  it('crm.env names its cloudlet and its controllers', () => {
    const { active } = readEnvFile('crm');
    expect(active.CLOUDLETD_CLOUDLET).toMatch(/^[^/\s]+\/[^/\s]+$/);
    expect(active.CLOUDLETD_NOTIFY_ADDRS).toBeTruthy();
    expect(active.CLOUDLETD_PLATFORM).toBe('fake');
  });
});
