/**
 * The Docker daemon of the `docker` section: the one named by CLOUDLETD_TEST_DOCKER_SOCKET (and
 * CLOUDLETD_TEST_DOCKER_IMAGE) when set, else a private one started with scripts/test-dockerd.sh in a temp dir
 * (vfs storage, no iptables, no default bridge, the local busybox test image; nothing is ever pulled) and stopped
 * again by `close()`. Written over node only (the bench never imports test/ helpers).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/test-dockerd.sh', import.meta.url));
const DEFAULT_IMAGE = 'cloudletd-test/busybox:1';

/** The daemon the bench uses. */
export interface BenchDaemon {
  readonly socketPath: string;
  /** A local image with busybox (sh, httpd; /www/index.html). */
  readonly image: string;
  /** True when this bench started the daemon (and `close` stops it). */
  readonly private: boolean;
  /** Stops a private daemon and removes its directory; does nothing for a given one. */
  close(): Promise<void>;
}

/** The given daemon, or a private one (about 1-3 s to start). Rejects with the script's message without dockerd. */
export async function openBenchDaemon(log: (message: string) => void): Promise<BenchDaemon> {
  const given = process.env.CLOUDLETD_TEST_DOCKER_SOCKET;
  if (given) {
    return { socketPath: given, image: process.env.CLOUDLETD_TEST_DOCKER_IMAGE || DEFAULT_IMAGE, private: false, close: () => Promise.resolve() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cloudletd-bench-docker-'));
  const stop = async (): Promise<void> => {
    await run(SCRIPT, ['stop', dir], { timeout: 120_000 }).catch(() => undefined);
  };
  let stdout: string;
  try {
    ({ stdout } = await run(SCRIPT, ['start', dir], { encoding: 'utf8', timeout: 120_000 }));
  } catch (err) {
    await stop();
    throw err;
  }
  const vars = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const socketPath = vars.get('CLOUDLETD_TEST_DOCKER_SOCKET') ?? join(dir, 'docker.sock');
  log(`private Docker daemon on ${socketPath} (scripts/test-dockerd.sh)`);
  return { socketPath, image: vars.get('CLOUDLETD_TEST_DOCKER_IMAGE') ?? DEFAULT_IMAGE, private: true, close: stop };
}
