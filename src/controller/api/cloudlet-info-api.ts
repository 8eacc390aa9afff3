import { notFound } from '../../core/errors.js';
import { CloudletInfo, CloudletInfoApiService, type CloudletInfoApiServer } from '../../gen/edgeproto/cloudlet.js';
import { keyString } from '../../wire/object-key.js';
import type { ApiDeps } from '../api-deps.js';
import { validateCloudletInfoKey } from '../cloudlet-info-receiver.js';
import { serverStream, unary } from '../grpc-adapter.js';
import { showFilter } from '../show-filter.js';
import { ok } from './result.js';

function what(info: CloudletInfo): string {
  return `cloudlet info ${info.key?.name ?? ''} of operator ${info.key?.operator_key?.name ?? ''}`;
}

/**
 * CloudletInfoApi (CloudletInfo normally comes from CRMs over notify, see CloudletInfoReceiver):
 * - ShowCloudletInfo: streams the stored infos matching the request.
 * - InjectCloudletInfo: stores the info as given (key names validated, INVALID_ARGUMENT otherwise) with
 *   `controller` = this controller's id and `fields` empty, replacing any stored one; for tests and operators.
 *   The Cloudlet need not exist (as the original).
 * - EvictCloudletInfo: deletes the stored info; NOT_FOUND if there is none.
 */
export function cloudletInfoApi(deps: ApiDeps): { service: typeof CloudletInfoApiService; implementation: CloudletInfoApiServer } {
  const { kinds, objects, config, log } = deps;
  const implementation: CloudletInfoApiServer = {
    showCloudletInfo: serverStream(log, 'ShowCloudletInfo', async (request: CloudletInfo, send) => {
      const matches = showFilter(CloudletInfo, request);
      for (const info of objects.cache(kinds.cloudletInfo).values()) if (matches(info)) await send(info);
    }),
    injectCloudletInfo: unary(log, 'InjectCloudletInfo', async (request: CloudletInfo) => {
      validateCloudletInfoKey(request);
      const info: CloudletInfo = { ...request, fields: [], controller: config.controllerId };
      await objects.write((tx) => tx.put(kinds.cloudletInfo, info));
      return ok();
    }),
    evictCloudletInfo: unary(log, 'EvictCloudletInfo', async (request: CloudletInfo) => {
      const key = keyString.cloudlet(request.key);
      await objects.write((tx) => {
        if (!tx.get(kinds.cloudletInfo, key)) throw notFound(what(request), 'key');
        tx.delete(kinds.cloudletInfo, key);
      });
      return ok();
    }),
  };
  return { service: CloudletInfoApiService, implementation };
}
