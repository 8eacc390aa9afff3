/**
 * The fake AppInst's "container": a tiny deterministic shell for `exec` and a deterministic log for `logs`.
 * Nothing here depends on the time of day: `date` prints the instance's creation time.
 */
import type { ExecResult } from '../../src/platform/features.js';

/** What a command can see of the AppInst it runs in. */
export interface FakeContainer {
  readonly appName: string;
  readonly appVersion: string;
  readonly developer: string;
  readonly image: string;
  readonly containerId: string;
  /** ISO time the instance was created. */
  readonly createdAt: string;
}

const ROOT_DIRS = ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'tmp', 'usr', 'var'];
const ETC_FILES = ['hostname', 'hosts', 'os-release'];

/** The container's host name: `<app name>-<container id>`, lower case, with anything but [a-z0-9-] as `-`. */
export function fakeHostname(c: FakeContainer): string {
  return `${c.appName}-${c.containerId}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

function files(c: FakeContainer): Readonly<Record<string, string>> {
  const host = fakeHostname(c);
  return {
    '/etc/hostname': `${host}\n`,
    '/etc/hosts': `127.0.0.1\tlocalhost\n10.0.0.2\t${host}\n`,
    '/etc/os-release': 'NAME="Fake Linux"\nID=fake\nVERSION_ID=1.0\n',
  };
}

function env(c: FakeContainer): string {
  const vars: Record<string, string> = {
    APP_DEVELOPER: c.developer,
    APP_IMAGE: c.image,
    APP_NAME: c.appName,
    APP_VERSION: c.appVersion,
    HOME: '/root',
    HOSTNAME: fakeHostname(c),
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  };
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
}

function ls(path: string | undefined): ExecResult {
  const dir = (path ?? '/').replace(/\/+$/, '') || '/';
  if (dir === '/' || dir === '.') return { output: ROOT_DIRS.join('\n') + '\n', exitCode: 0 };
  if (dir === '/etc') return { output: ETC_FILES.join('\n') + '\n', exitCode: 0 };
  if (ROOT_DIRS.includes(dir.slice(1))) return { output: '', exitCode: 0 };
  return { output: `ls: cannot access '${path ?? ''}': No such file or directory\n`, exitCode: 2 };
}

/**
 * Runs `command` in the fake container: `echo ARGS`, `hostname`, `env`, `cat FILE` (/etc/hostname, /etc/hosts,
 * /etc/os-release), `ls [DIR]`, `pwd`, `whoami`, `date` (the creation time, ISO), `true`, `false`, `exit [N]`.
 * Words are split on blanks (no quoting); an empty command succeeds with no output; anything else prints
 * `sh: <cmd>: not found` with exit code 127. Pure.
 */
export function runFakeCommand(c: FakeContainer, command: string): ExecResult {
  const [cmd, ...args] = command.trim().split(/\s+/).filter((w) => w !== '');
  switch (cmd) {
    case undefined:
      return { output: '', exitCode: 0 };
    case 'echo':
      return { output: `${args.join(' ')}\n`, exitCode: 0 };
    case 'hostname':
      return { output: `${fakeHostname(c)}\n`, exitCode: 0 };
    case 'env':
    case 'printenv':
      return { output: env(c), exitCode: 0 };
    case 'pwd':
      return { output: '/\n', exitCode: 0 };
    case 'whoami':
      return { output: 'root\n', exitCode: 0 };
    case 'date':
      return { output: `${c.createdAt}\n`, exitCode: 0 };
    case 'true':
      return { output: '', exitCode: 0 };
    case 'false':
      return { output: '', exitCode: 1 };
    case 'ls':
      return ls(args[0]);
    case 'cat': {
      const content = args.map((f) => files(c)[f]);
      const missing = args.findIndex((_, i) => content[i] === undefined);
      if (missing >= 0) return { output: `cat: ${args[missing]}: No such file or directory\n`, exitCode: 1 };
      return { output: content.join(''), exitCode: 0 };
    }
    case 'exit': {
      const arg = args[0] ?? '0';
      if (!/^\d+$/.test(arg)) return { output: `sh: exit: Illegal number: ${arg}\n`, exitCode: 2 };
      return { output: '', exitCode: Number(arg) % 256 };
    }
    default:
      return { output: `sh: ${cmd}: not found\n`, exitCode: 127 };
  }
}

/** The first lines of every fake AppInst's log (as its container would print them when it started). */
export function startupLogLines(c: FakeContainer): string[] {
  return [
    `${c.createdAt} pulled ${c.image}`,
    `${c.createdAt} started container ${c.containerId}`,
    `${c.createdAt} ${c.appName} ${c.appVersion} ready`,
  ];
}

/** The log line an exec leaves: `exec <container id>: <command> (exit <code>)`. */
export function execLogLine(c: FakeContainer, command: string, exitCode: number): string {
  return `exec ${c.containerId}: ${command.trim()} (exit ${exitCode})`;
}
