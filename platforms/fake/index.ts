/**
 * The fake platform driver (`--platform fake`, `--dry-run`, `cloudletd up`, tests). See README.md in this folder
 * for the settings format and the scripting API.
 */
import type { PlatformDeps } from '../../src/platform/registry.js';
import { FakePlatform, type FakePlatformOptions } from './fake-platform.js';

export { FakePlatform, FAKE_JOURNAL_FILE, type FakePlatformOptions } from './fake-platform.js';
export type { FakeResourcesChange } from './fake-state.js';
export { CALL_LOG_LIMIT, type FakeBehaviour, type FakeCall } from './behaviour.js';
export { fakeHostname, runFakeCommand, type FakeContainer } from './exec.js';
export { containerIdsOf, type FakeAppInfo, type FakeInstance, type FakeUsage } from './instances.js';
export {
  DEFAULT_FLAVORS,
  DEFAULT_LIMITS,
  FAKE_OPERATIONS,
  parseFakeSettings,
  seededRandom,
  type FakeFailure,
  type FakeLimits,
  type FakeOperation,
  type FakeSettings,
} from './settings.js';

/**
 * The fake driver's factory (a `PlatformFactory`: register it as `registry.register('fake', createFakePlatform)`).
 * Validates `deps.settings` (rejects INVALID_ARGUMENT naming the field, e.g. `platform.flavors[1].vcpus`) and opens
 * the instance journal in `deps.dataDir`; does not call `init`. `options` are test hooks (seeded `random`, clock).
 */
export async function createFakePlatform(deps: PlatformDeps, options: FakePlatformOptions = {}): Promise<FakePlatform> {
  return FakePlatform.create(deps, options);
}
