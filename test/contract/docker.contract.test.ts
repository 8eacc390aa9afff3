/**
 * The driver contract suite on the Docker platform, against the real test daemon (test/helpers/docker-daemon.ts).
 * Each check gets its own cloudlet key, so it sees only its own containers, networks and volumes; cleanup removes
 * everything labelled for that cloudlet. The hang hook is the driver's `checkpoint` test hook: the create stops
 * half-done (network made, record not; containers created, not started) until its signal aborts.
 */
import type { CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { createDockerPlatform, type DockerPlatform, type DockerPlatformOptions } from '../../platforms/docker/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { dockerTestEnv } from '../helpers/docker-daemon.js';
import { purgeUntilClean } from '../unit/platforms/docker/fixtures/docker-fixtures.js';
import { describePlatformContract, type ContractDriver, type HangableOperation } from './platform-contract.js';

let serial = 0;

/** Small flavors and generous limits: the contract resizes to 3 nodes on hosts with 2 CPUs. */
const SETTINGS = {
  hostIp: '127.0.0.1',
  pull: 'never',
  flavors: [
    { name: 'docker.tiny', vcpus: 1, ram: 1024, disk: 1 },
    { name: 'docker.small', vcpus: 2, ram: 2048, disk: 2 },
  ],
  limits: { vcores: 64, ram: 65536, disk: 1000 },
};

async function dockerDriver(): Promise<ContractDriver> {
  const { socketPath } = dockerTestEnv();
  const cloudletKey: CloudletKey = { operator_key: { name: 'contract-op' }, name: `docker-contract-${Math.random().toString(36).slice(2, 8)}-${++serial}` };
  const hanging = new Set<HangableOperation>();
  const options: DockerPlatformOptions = {
    checkpoint: (op, signal) =>
      !hanging.has(op as HangableOperation)
        ? Promise.resolve()
        : new Promise<void>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
  };
  const open = (): Promise<DockerPlatform> => createDockerPlatform({ cloudletKey, settings: { ...SETTINGS, socketPath }, dataDir: '/nonexistent', log: silentLogger() }, options);
  let platform = await open();
  return {
    get platform() {
      return platform;
    },
    hang(op) {
      hanging.add(op);
      return () => hanging.delete(op);
    },
    async restart() {
      await platform.close();
      platform = await open();
      return platform;
    },
    async cleanup() {
      await platform.close();
      await purgeUntilClean(cloudletKey);
    },
  };
}

describePlatformContract('docker', dockerDriver, { image: dockerTestEnv().image, command: 'httpd -f -p 8080 -h /www', accessPorts: 'tcp:8080' });
