import type { CloudletKey } from '../gen/edgeproto/cloudlet.js';
import type { Logger } from '../core/logger.js';
import { invalidArgument } from '../core/errors.js';
import type { Platform } from './platform.js';

/** What a driver factory gets: its own settings (the config file's `platform` section), a data dir, a logger. */
export interface PlatformDeps {
  readonly cloudletKey: CloudletKey;
  /** Driver settings, unvalidated: the factory validates them and throws INVALID_ARGUMENT naming the field. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** A directory the driver may keep state in (created by the caller). */
  readonly dataDir: string;
  readonly log: Logger;
}

/** Builds a driver. Rejects INVALID_ARGUMENT for bad settings. Does not call `init`. */
export type PlatformFactory = (deps: PlatformDeps) => Promise<Platform>;

/** Driver names to factories. The cli fills one per process; nothing is registered globally. */
export class PlatformRegistry {
  private readonly factories = new Map<string, PlatformFactory>();

  /** Adds (or replaces) the factory for `name`. */
  register(name: string, factory: PlatformFactory): this {
    this.factories.set(name, factory);
    return this;
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** Creates the named driver. INVALID_ARGUMENT on `platform` for an unknown name, listing the known ones. */
  async create(name: string, deps: PlatformDeps): Promise<Platform> {
    const factory = this.factories.get(name);
    if (!factory) throw invalidArgument('platform', `unknown platform "${name}" (known: ${this.names().join(', ')})`);
    return factory(deps);
  }
}
