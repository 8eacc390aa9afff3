import { InfoCacheReceiver } from '../notify/info-receiver.js';
import type { AnyReceiver } from '../notify/receivers.js';
import type { ApiDeps } from './api-deps.js';
import { CloudletInfoReceiver } from './cloudlet-info-receiver.js';
import { instInfoReceivers } from './state/info-receivers.js';

/**
 * What the controller takes from CRMs and DMEs over notify, one receiver per kind: Nodes (listed while
 * connected), and the receivers of the API modules (CloudletInfo, ClusterInstInfo, AppInstInfo, ExecRequest
 * replies, Metric).
 */
export function controllerReceivers(deps: Omit<ApiDeps, 'notify'>): AnyReceiver[] {
  return [
    new InfoCacheReceiver(deps.nodes),
    new CloudletInfoReceiver({ ...deps, controllerId: deps.config.controllerId }),
    deps.execRelay.receiver,
    ...instInfoReceivers(deps),
  ];
}
