/**
 * The driver contract suite on the fake platform, each check on its own temp data dir. The hang hook scripts the
 * fake (`script(op, { hang: true })`); restart closes the driver and opens a new one on the same dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { createFakePlatform, type FakePlatform } from '../../platforms/fake/index.js';
import { describePlatformContract, type ContractDriver } from './platform-contract.js';

async function open(dataDir: string, settings: Record<string, unknown>): Promise<FakePlatform> {
  return createFakePlatform({ cloudletKey: { operator_key: { name: 'contract-op' }, name: 'contract-cloudlet' }, settings, dataDir, log: silentLogger() });
}

/** A fake driver on a fresh temp dir; `withHangHook` false leaves the hang hook out (the path other drivers take). */
async function fakeDriver(settings: Record<string, unknown>, withHangHook: boolean): Promise<ContractDriver> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-fake-contract-'));
  let platform = await open(dataDir, settings);
  const hang: Pick<ContractDriver, 'hang'> = {
    hang(op) {
      const target = platform;
      target.script(op, { hang: true });
      return () => target.script(op, undefined);
    },
  };
  return {
    ...(withHangHook ? hang : {}),
    get platform() {
      return platform;
    },
    async restart() {
      await platform.close();
      platform = await open(dataDir, settings);
      return platform;
    },
    async cleanup() {
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describePlatformContract('fake', () => fakeDriver({}, true));
describePlatformContract('fake with latency, without the hang hook', () => fakeDriver({ latency: { '*': 3 } }, false));
