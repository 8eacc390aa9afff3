import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ObjectCache } from '../../cache/object-cache.js';
import { AppInstInfo, AppInstInfoApiService, AppInstMetricsApiService, type AppInst } from '../../gen/edgeproto/app_inst.js';
import { CloudletMetricsApiService } from '../../gen/edgeproto/cloudlet.js';
import { ClusterInstInfo, ClusterInstInfoApiService, type ClusterInst } from '../../gen/edgeproto/clusterinst.js';
import { Controller, ControllerApiService } from '../../gen/edgeproto/controller.js';
import { Node, NodeApiService } from '../../gen/edgeproto/node.js';
import { CloudletRefs, CloudletRefsApiService, ClusterRefs, ClusterRefsApiService } from '../../gen/edgeproto/refs.js';
import type { Logger } from '../../core/logger.js';
import type { MessageCodec } from '../../wire/message-codec.js';
import type { ApiDeps } from '../api-deps.js';
import { serverStream } from '../grpc-adapter.js';
import { showFilter } from '../show-filter.js';

/** A gRPC service definition with its implementation (as services.ts lists them). */
export interface ShowService {
  readonly service: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/**
 * The ClusterInstInfo the controller reports for a stored ClusterInst. The original controller never stores
 * infos (it applies them to the ClusterInst as they arrive), so Show derives them: key, state and errors of the
 * ClusterInst; `notify_id` 0.
 */
export function clusterInstInfoOf(ci: ClusterInst): ClusterInstInfo {
  return ClusterInstInfo.fromPartial({ key: ci.key, state: ci.state, errors: ci.errors });
}

/** The AppInstInfo for a stored AppInst, derived as {@link clusterInstInfoOf}: key, state, errors, runtime_info. */
export function appInstInfoOf(ai: AppInst): AppInstInfo {
  return AppInstInfo.fromPartial({ key: ai.key, state: ai.state, errors: ai.errors, runtime_info: ai.runtime_info });
}

/** A Show handler streaming the values of `source()` (a fresh list per call) that match the request. */
function show<T>(log: Logger, method: string, codec: MessageCodec<T>, source: () => readonly T[]) {
  return serverStream(log, method, async (request: T, send: (r: T) => Promise<void>) => {
    const matches = showFilter(codec, request);
    for (const value of source()) if (matches(value)) await send(value);
  });
}

/** A Show handler that streams nothing and ends OK. */
function showNothing(log: Logger, method: string) {
  return serverStream(log, method, () => Promise.resolve());
}

/**
 * The show-only services:
 * - ClusterInstInfoApi / AppInstInfoApi: infos derived from the stored ClusterInsts / AppInsts (see
 *   {@link clusterInstInfoOf}), filtered by the request.
 * - AppInstMetricsApi / CloudletMetricsApi: stream nothing (the original's messages are placeholders with no
 *   data; metrics go to Prometheus instead).
 * - ControllerApi.ShowController: the Controller objects in the store (each controller stores its own at start,
 *   key.addr = its bound API address, and removes it on close).
 * - NodeApi.ShowNode / ShowNodeLocal: the Nodes reported by the CRMs and DMEs connected to this controller (both
 *   the same here; there is one controller's view).
 * - CloudletRefsApi / ClusterRefsApi: the stored refs.
 */
export function showOnlyApis(deps: ApiDeps): ShowService[] {
  const { kinds, objects, nodes, log } = deps;
  const values = <T>(cache: ObjectCache<T>) => (): T[] => cache.values();
  const services = [
    {
      service: ClusterInstInfoApiService,
      implementation: {
        showClusterInstInfo: show(log, 'ShowClusterInstInfo', ClusterInstInfo, () =>
          objects.cache(kinds.clusterInst).values().map(clusterInstInfoOf)),
      },
    },
    {
      service: AppInstInfoApiService,
      implementation: {
        showAppInstInfo: show(log, 'ShowAppInstInfo', AppInstInfo, () => objects.cache(kinds.appInst).values().map(appInstInfoOf)),
      },
    },
    { service: AppInstMetricsApiService, implementation: { showAppInstMetrics: showNothing(log, 'ShowAppInstMetrics') } },
    { service: CloudletMetricsApiService, implementation: { showCloudletMetrics: showNothing(log, 'ShowCloudletMetrics') } },
    {
      service: ControllerApiService,
      implementation: { showController: show(log, 'ShowController', Controller, values(objects.cache(kinds.controller))) },
    },
    {
      service: NodeApiService,
      implementation: {
        showNode: show(log, 'ShowNode', Node, values(nodes)),
        showNodeLocal: show(log, 'ShowNodeLocal', Node, values(nodes)),
      },
    },
    {
      service: CloudletRefsApiService,
      implementation: { showCloudletRefs: show(log, 'ShowCloudletRefs', CloudletRefs, values(objects.cache(kinds.cloudletRefs))) },
    },
    {
      service: ClusterRefsApiService,
      implementation: { showClusterRefs: show(log, 'ShowClusterRefs', ClusterRefs, values(objects.cache(kinds.clusterRefs))) },
    },
  ];
  return services as unknown as ShowService[];
}
