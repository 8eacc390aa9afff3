import type { ApiDeps } from '../api-deps.js';
import { cloudletApi } from './cloudlet-api.js';
import { cloudletInfoApi } from './cloudlet-info-api.js';
import { execApi } from './exec-api.js';
import { showOnlyApis } from './show-only-apis.js';

/**
 * The cloudlet-side services: CloudletApi, CloudletInfoApi, ExecApi and the show-only services (infos derived from
 * instances, metrics placeholders, Controller, Node, CloudletRefs, ClusterRefs).
 */
export function cloudletApis(deps: ApiDeps) {
  return [cloudletApi(deps), cloudletInfoApi(deps), execApi(deps), ...showOnlyApis(deps)];
}
