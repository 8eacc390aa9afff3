/**
 * The REST route table of the controller: every edgeproto rpc that the original's grpc-gateway serves, at its
 * `google.api.http` path, taken from the generated service definitions. An rpc `<Verb><Object>` of service
 * `edgeproto.<Message>Api` (verb Create, Delete, Update or Show) is served at `POST /<verb>/<object>` in lower
 * case (`CreateAppInst` → `/create/appinst`, `ShowNodeLocal` → `/show/nodelocal`); its request is
 * `edgeproto.<Message>`, its response `edgeproto.Result` (Show: the request's type). rpcs without a REST mapping
 * in the original (InjectCloudletInfo, EvictCloudletInfo, ExecApi, NotifyApi, the Refs services) are not served.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { AppApiService } from '../../gen/edgeproto/app.js';
import { AppInstApiService, AppInstInfoApiService, AppInstMetricsApiService } from '../../gen/edgeproto/app_inst.js';
import { CloudletApiService, CloudletInfoApiService, CloudletMetricsApiService } from '../../gen/edgeproto/cloudlet.js';
import { ClusterApiService } from '../../gen/edgeproto/cluster.js';
import { ClusterInstApiService, ClusterInstInfoApiService } from '../../gen/edgeproto/clusterinst.js';
import { ControllerApiService } from '../../gen/edgeproto/controller.js';
import { DeveloperApiService } from '../../gen/edgeproto/developer.js';
import { FlavorApiService } from '../../gen/edgeproto/flavor.js';
import { NodeApiService } from '../../gen/edgeproto/node.js';
import { OperatorApiService } from '../../gen/edgeproto/operator.js';
import type { MessageType } from '../../wire/message-codec.js';
import { findMessageType } from '../../wire/message-registry.js';

/** What the gateway needs of a generated method definition (`AppApiService.createApp`...). */
export interface RouteMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(value: Buffer): unknown;
}

/** One REST route: `POST <path>` forwards to the gRPC method `grpcPath`. */
export interface Route {
  /** The HTTP path, e.g. `/create/appinst`. */
  readonly path: string;
  /** The gRPC method path, e.g. `/edgeproto.AppInstApi/CreateAppInst`. */
  readonly grpcPath: string;
  /** The rpc's name, e.g. `CreateAppInst`. */
  readonly rpc: string;
  /** True for a server-streaming rpc (answered as NDJSON). */
  readonly streaming: boolean;
  readonly request: MessageType;
  readonly response: MessageType;
  readonly method: RouteMethod;
}

/** The services with REST paths in the original, in the order of its services table. */
const REST_SERVICES: readonly ServiceDefinition[] = [
  AppApiService, AppInstApiService, AppInstInfoApiService, AppInstMetricsApiService, CloudletApiService,
  CloudletInfoApiService, CloudletMetricsApiService, ClusterApiService, ClusterInstApiService,
  ClusterInstInfoApiService, ControllerApiService, DeveloperApiService, FlavorApiService, NodeApiService,
  OperatorApiService,
];

/**
 * Where the original's path differs from the rule: its gateway serves DeleteCloudlet at `/delete/cloudet` (sic).
 * Clients of the original use that spelling, so it is served, and the rule's `/delete/cloudlet` as well.
 */
const ORIGINAL_PATHS: Readonly<Record<string, string>> = { '/edgeproto.CloudletApi/DeleteCloudlet': '/delete/cloudet' };

const RPC_PATH = /^\/([a-z_]+)\.([A-Za-z]+)Api\/(Create|Delete|Update|Show)([A-Za-z]+)$/;

function messageType(fullName: string): MessageType {
  const type = findMessageType(fullName);
  if (!type) throw new Error(`route table: ${fullName} is not a message of the schema`);
  return type;
}

function buildRoutes(): readonly Route[] {
  const routes: Route[] = [];
  for (const service of REST_SERVICES) {
    for (const method of Object.values(service) as RouteMethod[]) {
      const match = RPC_PATH.exec(method.path);
      if (!match || method.requestStream) continue;
      const [, pkg = '', message = '', verb = '', object = ''] = match;
      const request = messageType(`${pkg}.${message}`);
      const response = verb === 'Show' ? request : messageType(`${pkg}.Result`);
      const common = { grpcPath: method.path, rpc: verb + object, streaming: method.responseStream, request, response, method };
      const derived = `/${verb.toLowerCase()}/${object.toLowerCase()}`;
      const original = ORIGINAL_PATHS[method.path];
      if (original !== undefined) routes.push(Object.freeze({ path: original, ...common }));
      routes.push(Object.freeze({ path: derived, ...common }));
    }
  }
  return Object.freeze(routes);
}

/**
 * Every REST route, built once at module load from the generated service definitions: the original's paths
 * (`/delete/cloudet` included) plus `/delete/cloudlet`. Read-only.
 */
export const REST_ROUTES: readonly Route[] = buildRoutes();

/** The routes by HTTP path. Read-only. */
export const ROUTES_BY_PATH: ReadonlyMap<string, Route> = new Map(REST_ROUTES.map((r) => [r.path, r]));
