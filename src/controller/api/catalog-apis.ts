import type { ApiDeps } from '../api-deps.js';
import { appApi } from './app-api.js';
import { clusterApi } from './cluster-api.js';
import { developerApi } from './developer-api.js';
import { operatorApi } from './operator-api.js';

/**
 * The services of the definition objects that have no instance state: OperatorApi, DeveloperApi, ClusterApi and
 * AppApi (FlavorApi is registered on its own). Each is a unary Create/Delete/Update plus a streamed Show.
 */
export function catalogApis(deps: ApiDeps): [
  ReturnType<typeof operatorApi>, ReturnType<typeof developerApi>, ReturnType<typeof clusterApi>, ReturnType<typeof appApi>,
] {
  return [operatorApi(deps), developerApi(deps), clusterApi(deps), appApi(deps)];
}
