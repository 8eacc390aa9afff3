/**
 * The Docker platform driver (`--platform docker`): a cloudlet's apps as containers on the CRM's own Docker host.
 * See README.md in this folder for the settings, the labels and the behaviour.
 */
import type { PlatformDeps } from '../../src/platform/registry.js';
import { DockerPlatform, type DockerPlatformOptions } from './docker-platform.js';

export { DockerPlatform, type DockerPlatformOptions } from './docker-platform.js';
export {
  DEFAULT_LABEL_PREFIX,
  DEFAULT_REGISTRY_USER,
  DEFAULT_RESTART_MAX_RETRIES,
  DEFAULT_SOCKET_PATH,
  parseDockerSettings,
  type DockerLimits,
  type DockerNetworkMode,
  type DockerPullPolicy,
  type DockerRegistryAuth,
  type DockerSettings,
} from './settings.js';
export { appEnvironment, ENV_CONFIG_KIND, extraContainers, publishedPorts, splitCommand, type ExtraContainer, type PublishedPort } from './app-config.js';
export { derivedFlavors, FALLBACK_DISK_GB } from './host.js';
export { DockerNaming } from './naming.js';
export { registryOf } from './images.js';

/**
 * The Docker driver's factory (a `PlatformFactory`: `registry.register('docker', createDockerPlatform)`). Validates
 * `deps.settings` (rejects INVALID_ARGUMENT naming the field, e.g. `platform.hostIp`); does not contact the daemon
 * (that is `init`). `options` are test hooks.
 */
export async function createDockerPlatform(deps: PlatformDeps, options: DockerPlatformOptions = {}): Promise<DockerPlatform> {
  return DockerPlatform.create(deps, options);
}
