import { AppInstInfo, type AppInstKey } from '../gen/edgeproto/app_inst.js';
import { ClusterInstInfo, type ClusterInstKey } from '../gen/edgeproto/clusterinst.js';
import { TrackedState } from '../gen/edgeproto/common.js';
import type { AppInstRuntime } from '../platform/platform.js';
import type { ObjectCache } from '../cache/object-cache.js';

/** The info caches the CRM reports over notify. */
export interface InfoCaches {
  readonly clusterInstInfos: ObjectCache<ClusterInstInfo>;
  readonly appInstInfos: ObjectCache<AppInstInfo>;
}

/**
 * The only writer of ClusterInstInfo and AppInstInfo (architecture convention 5). A report equal to the current
 * info changes nothing (the cache compares bytes), so reconciles may report on every run. Notify sends the latest
 * value per key, so fast operations often reach the controller as their final state only, as in the original.
 */
export class InfoReporter {
  constructor(private readonly infos: InfoCaches) {}

  clusterInst(key: ClusterInstKey | undefined, keyString: string, state: TrackedState, errors: readonly string[] = []): void {
    this.infos.clusterInstInfos.update(ClusterInstInfo.fromPartial({ key, state, errors: [...errors] }), undefined, keyString);
  }

  appInst(key: AppInstKey | undefined, keyString: string, state: TrackedState, errors: readonly string[] = [], runtime?: AppInstRuntime): void {
    const current = this.infos.appInstInfos.get(keyString);
    const runtimeInfo = runtime ? { container_ids: [...runtime.containerIds] } : current?.runtime_info;
    this.infos.appInstInfos.update(AppInstInfo.fromPartial({ key, state, errors: [...errors], runtime_info: runtimeInfo }), undefined, keyString);
  }

  /**
   * Reports that an instance is gone (a delete finished, or there was nothing to delete): the info is removed,
   * which notify sends as an info DELETE (the original's "done" signal). When there was no info, a NOT_PRESENT
   * info is written and removed at once, so a DELETE is still sent.
   */
  gone(kind: 'ClusterInst' | 'AppInst', key: ClusterInstKey | AppInstKey | undefined, keyString: string): void {
    if (kind === 'ClusterInst') {
      const cache = this.infos.clusterInstInfos;
      if (!cache.has(keyString)) cache.update(ClusterInstInfo.fromPartial({ key: key as ClusterInstKey, state: TrackedState.NOT_PRESENT }), undefined, keyString);
      cache.delete(keyString);
    } else {
      const cache = this.infos.appInstInfos;
      if (!cache.has(keyString)) cache.update(AppInstInfo.fromPartial({ key: key as AppInstKey, state: TrackedState.NOT_PRESENT }), undefined, keyString);
      cache.delete(keyString);
    }
  }

  /** Drops the info of an instance the controller no longer has (nothing to report). */
  forget(kind: 'ClusterInst' | 'AppInst', keyString: string): void {
    if (kind === 'ClusterInst') this.infos.clusterInstInfos.delete(keyString);
    else this.infos.appInstInfos.delete(keyString);
  }
}
