import type { ApiDeps } from '../api-deps.js';
import { appInstApi } from './appinst-api.js';
import { clusterInstApi } from './clusterinst-api.js';

/** The services of the objects with TrackedState: ClusterInstApi and AppInstApi. */
export function instApis(deps: ApiDeps): [ReturnType<typeof clusterInstApi>, ReturnType<typeof appInstApi>] {
  return [clusterInstApi(deps), appInstApi(deps)];
}
