// Starts a private Docker daemon for the Docker driver's tests when none was given (CI's .ci/run gives one) and
// dockerd is installed, and stops it at the end. Without dockerd the Docker tests fail with how to get it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/test-dockerd.sh', import.meta.url));

function hasDockerd(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v dockerd && test -x /bin/busybox'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default function setup(): (() => void) | undefined {
  if (process.env.CLOUDLETD_TEST_DOCKER_SOCKET || !hasDockerd()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cloudletd-test-docker-'));
  const out = execFileSync(SCRIPT, ['start', dir], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) process.env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return () => {
    execFileSync(SCRIPT, ['stop', dir], { stdio: 'ignore' });
  };
}
