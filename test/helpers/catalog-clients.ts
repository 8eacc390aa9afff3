import type { ObjectKind } from '../../src/cache/object-kind.js';
import { App, AppApiClient, ImageType } from '../../src/gen/edgeproto/app.js';
import { ClusterApiClient } from '../../src/gen/edgeproto/cluster.js';
import { DeveloperApiClient } from '../../src/gen/edgeproto/developer.js';
import { FlavorApiClient } from '../../src/gen/edgeproto/flavor.js';
import { OperatorApiClient } from '../../src/gen/edgeproto/operator.js';
import { insecure, type TestController } from './controller-harness.js';

/** Clients of the five definition services of one controller. `close()` closes them all. */
export interface CatalogClients {
  readonly operators: OperatorApiClient;
  readonly developers: DeveloperApiClient;
  readonly flavors: FlavorApiClient;
  readonly clusters: ClusterApiClient;
  readonly apps: AppApiClient;
  close(): void;
}

/** Opens insecure clients of OperatorApi, DeveloperApi, FlavorApi, ClusterApi and AppApi at `address`. */
export function catalogClients(address: string): CatalogClients {
  const clients = {
    operators: new OperatorApiClient(address, insecure),
    developers: new DeveloperApiClient(address, insecure),
    flavors: new FlavorApiClient(address, insecure),
    clusters: new ClusterApiClient(address, insecure),
    apps: new AppApiClient(address, insecure),
  };
  return { ...clients, close: () => Object.values(clients).forEach((c) => c.close()) };
}

/**
 * Puts objects straight into the controller's store, bypassing the API: for users (Cloudlets, ClusterInsts,
 * AppInsts) whose APIs are not under test.
 */
export async function putStored<T>(ctl: TestController, kind: ObjectKind<T>, ...values: T[]): Promise<void> {
  await ctl.controller.objects.write((tx) => values.forEach((v) => tx.put(kind, v)));
}

/** Removes objects straight from the controller's store (see {@link putStored}). */
export async function deleteStored<T>(ctl: TestController, kind: ObjectKind<T>, ...values: T[]): Promise<void> {
  await ctl.controller.objects.write((tx) => values.forEach((v) => tx.delete(kind, kind.keyOf(v))));
}

/** A valid docker App (deployment left empty, so the controller defaults it to kubernetes). */
export function dockerApp(developer: string, name: string, version = '1.0', flavor = 'x1.small'): App {
  return App.fromPartial({
    key: { developer_key: { name: developer }, name, version },
    image_type: ImageType.IMAGE_TYPE_DOCKER,
    image_path: `registry.example.com/${developer.toLowerCase()}/${name.toLowerCase().replace(/\W/g, '')}:${version || 'latest'}`,
    access_ports: 'tcp:8008,http:443',
    default_flavor: { name: flavor },
  });
}
