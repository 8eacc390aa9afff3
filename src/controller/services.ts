import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ApiDeps } from './api-deps.js';
import { catalogApis } from './api/catalog-apis.js';
import { cloudletApis } from './api/cloudlet-apis.js';
import { flavorApi } from './api/flavor-api.js';
import { instApis } from './api/inst-apis.js';
import { acceptPreEncoded } from './pre-encoded.js';

/** A gRPC service definition with its implementation. */
export interface ApiService {
  readonly service: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/** Every API service of the controller. */
export function controllerServices(deps: ApiDeps): ApiService[] {
  const services: ApiService[] = [flavorApi(deps), ...catalogApis(deps), ...cloudletApis(deps), ...instApis(deps)];
  return services.map(({ service, implementation }) => ({ service: acceptPreEncoded(service), implementation }));
}
