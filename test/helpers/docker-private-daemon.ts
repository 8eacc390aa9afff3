/**
 * A Docker daemon of one test's own (scripts/test-dockerd.sh in a temp dir), which the test may stop and start
 * again on the same data root: the containers, networks and volumes persist across the restart, as on a host
 * whose docker service restarts. `start` of the script re-imports the test image (same tag), which is harmless.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/test-dockerd.sh', import.meta.url));

/** A private daemon (see the module). */
export interface PrivateDaemon {
  /** Its directory: data root, exec root, socket, pid file and log. */
  readonly dir: string;
  readonly socketPath: string;
  /** The test image (busybox with httpd, /www/index.html), imported by the script. */
  readonly image: string;
  /** Whether the daemon is running (started and not stopped since). */
  readonly running: boolean;
  /** Stops the daemon (SIGTERM to its pid, as a service stop does) and waits until it exited; keeps its data. */
  stop(timeoutMs?: number): Promise<void>;
  /** Starts it again on the same directory (the script's `start`). */
  start(): Promise<void>;
  /** Stops it and removes its directory (the script's `stop`). Idempotent. */
  remove(): Promise<void>;
}

/** True while process `pid` exists and is not a zombie (an exited child nobody reaped yet counts as ended). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function pidOf(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'dockerd.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The script's `start` on `dir`; resolves to the variables it printed. */
async function scriptStart(dir: string): Promise<Record<string, string>> {
  const { stdout } = await run(SCRIPT, ['start', dir], { encoding: 'utf8', timeout: 60_000 });
  const vars: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
}

/**
 * Starts a private daemon in a new temp dir with scripts/test-dockerd.sh (vfs storage, no iptables, no default
 * bridge; about 1-3 s). Rejects with the script's message when dockerd is not installed.
 */
export async function startPrivateDaemon(): Promise<PrivateDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudletd-private-docker-'));
  let vars: Record<string, string>;
  try {
    vars = await scriptStart(dir);
  } catch (err) {
    await run(SCRIPT, ['stop', dir]).catch(() => undefined);
    throw err;
  }
  const socketPath = vars.CLOUDLETD_TEST_DOCKER_SOCKET ?? join(dir, 'docker.sock');
  const image = vars.CLOUDLETD_TEST_DOCKER_IMAGE ?? 'cloudletd-test/busybox:1';
  let running = true;
  let removed = false;
  return {
    dir,
    socketPath,
    image,
    get running() {
      return running;
    },
    async stop(timeoutMs = 30_000) {
      const pid = pidOf(dir);
      running = false;
      if (pid === undefined) return;
      process.kill(pid, 'SIGTERM');
      await waitFor(() => !alive(pid), { timeoutMs, intervalMs: 50, message: `dockerd ${pid} exited` });
    },
    async start() {
      if (removed) throw new Error('the private daemon was removed');
      await scriptStart(dir);
      running = true;
    },
    async remove() {
      if (removed) return;
      removed = true;
      running = false;
      await run(SCRIPT, ['stop', dir], { timeout: 60_000 }).catch(() => undefined);
    },
  };
}
