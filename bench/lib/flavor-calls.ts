/**
 * CreateFlavor requests of the bench: a new flavor per call (`<prefix>-<n>`, 4 GiB RAM, 2 vCPUs, 40 GB disk), sent
 * through a generated FlavorApiClient. Shared by the `controller` and `rest` sections.
 */
import { Flavor, type FlavorApiClient } from '../../src/gen/edgeproto/flavor.js';
import type { Result } from '../../src/gen/edgeproto/result.js';
import { unaryCall } from './controller-fixtures.js';

/** The `n`th flavor of `prefix`: name `<prefix>-<n>`. */
export function flavorRequest(prefix: string, n: number): Flavor {
  return Flavor.fromPartial({ key: { name: `${prefix}-${n}` }, ram: 4096n, vcpus: 2n, disk: 40n });
}

/** CreateFlavor through `client`, a new flavor name each call (`<prefix>-<n>`). */
export function createFlavor(client: FlavorApiClient, prefix: string): (n: number) => Promise<Result> {
  return (n) => unaryCall<Flavor, Result>((r, cb) => client.createFlavor(r, cb), flavorRequest(prefix, n));
}
