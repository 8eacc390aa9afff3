/**
 * The platform drivers this build of `cloudletd` can run, by name. Each driver's module (and with it its SDK) is
 * imported only when that driver is created, so commands that run no driver never load one.
 */
import type { Platform } from '../platform/platform.js';
import { PlatformRegistry, type PlatformDeps } from '../platform/registry.js';

async function fake(deps: PlatformDeps): Promise<Platform> {
  const { createFakePlatform } = await import('../../platforms/fake/index.js');
  return createFakePlatform(deps);
}

async function docker(deps: PlatformDeps): Promise<Platform> {
  const { createDockerPlatform } = await import('../../platforms/docker/index.js');
  return createDockerPlatform(deps);
}

/** A new registry with every driver of this build: `docker` (platforms/docker) and `fake` (platforms/fake). */
export function platformRegistry(): PlatformRegistry {
  return new PlatformRegistry().register('docker', docker).register('fake', fake);
}
