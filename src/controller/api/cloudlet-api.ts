import { isIP } from 'node:net';
import { alreadyExists, invalidArgument, notFound } from '../../core/errors.js';
import type { Cloudlet} from '../../gen/edgeproto/cloudlet.js';
import { CloudletApiService, type CloudletApiServer } from '../../gen/edgeproto/cloudlet.js';
import { IpSupport } from '../../gen/edgeproto/common.js';
import { keyString } from '../../wire/object-key.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import { serverStream } from '../grpc-adapter.js';
import { showStored } from './show-stored.js';
import type { WriteTx } from '../object-store.js';
import { applyUpdateFields } from '../update-fields.js';
import { inUse } from './in-use.js';
import { progress } from './result.js';

const IP_SUPPORTS: readonly number[] = [IpSupport.IP_SUPPORT_UNKNOWN, IpSupport.IP_SUPPORT_STATIC, IpSupport.IP_SUPPORT_DYNAMIC];

/**
 * Parses `static_ips`: a list of IPv4/IPv6 addresses separated by commas and/or spaces, each optionally a CIDR
 * block (`10.0.0.0/28`). The empty string is an empty list. Throws INVALID_ARGUMENT naming `static_ips`. Pure.
 */
export function parseStaticIps(text: string): string[] {
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw invalidArgument('static_ips', `"${entry}" is not an IP address or CIDR block`);
    }
  }
  return entries;
}

/**
 * Checks a Cloudlet's own content (not its references); throws INVALID_ARGUMENT naming the field: key names,
 * location latitude −90..90 and longitude −180..180, `ip_support` one of the IpSupport values, `num_dynamic_ips`
 * ≥ 0, `static_ips` parseable. A missing location counts as 0,0. Pure.
 */
export function validateCloudlet(cloudlet: Cloudlet): void {
  validateObjectName('key.operator_key.name', cloudlet.key?.operator_key?.name ?? '');
  validateObjectName('key.name', cloudlet.key?.name ?? '');
  const latitude = cloudlet.location?.latitude ?? 0;
  const longitude = cloudlet.location?.longitude ?? 0;
  if (!(latitude >= -90 && latitude <= 90)) throw invalidArgument('location.latitude', `${latitude} is outside -90..90`);
  if (!(longitude >= -180 && longitude <= 180)) throw invalidArgument('location.longitude', `${longitude} is outside -180..180`);
  if (!IP_SUPPORTS.includes(cloudlet.ip_support)) throw invalidArgument('ip_support', `unknown value ${cloudlet.ip_support}`);
  if (!Number.isInteger(cloudlet.num_dynamic_ips) || cloudlet.num_dynamic_ips < 0) {
    throw invalidArgument('num_dynamic_ips', `must be 0 or more, got ${cloudlet.num_dynamic_ips}`);
  }
  parseStaticIps(cloudlet.static_ips);
}

function what(cloudlet: Cloudlet): string {
  return `cloudlet ${cloudlet.key?.name ?? ''} of operator ${cloudlet.key?.operator_key?.name ?? ''}`;
}

/** The ClusterInsts and AppInsts on a cloudlet, as "cluster instance <cluster> of <developer>" strings. */
export function cloudletUsers(deps: Pick<ApiDeps, 'kinds'>, cloudletKey: string, tx: WriteTx): string[] {
  const { kinds } = deps;
  const users: string[] = [];
  for (const ci of tx.list(kinds.clusterInst)) {
    if (keyString.cloudlet(ci.key?.cloudlet_key) === cloudletKey) {
      users.push(`cluster instance ${ci.key?.cluster_key?.name ?? ''} of ${ci.key?.developer ?? ''}`);
    }
  }
  for (const ai of tx.list(kinds.appInst)) {
    if (keyString.cloudlet(ai.key?.cluster_inst_key?.cloudlet_key) === cloudletKey) {
      users.push(`app instance ${ai.key?.app_key?.name ?? ''} on cluster ${ai.key?.cluster_inst_key?.cluster_key?.name ?? ''}`);
    }
  }
  return users;
}

/**
 * CloudletApi. A Cloudlet has no TrackedState in this version, so every write is one transaction and the
 * server-streaming calls send exactly one Result when it committed, then end (errors end the stream with the
 * mapped status and no Result):
 * - Create: validates ({@link validateCloudlet}), the operator must exist (NOT_FOUND naming
 *   `key.operator_key.name`), ALREADY_EXISTS if present. Stored with `fields` empty.
 * - Delete: NOT_FOUND if absent; FAILED_PRECONDITION naming the ClusterInsts/AppInsts still on it; removes the
 *   Cloudlet with its CloudletInfo and CloudletRefs in the same transaction.
 * - Update: NOT_FOUND if absent; copies the listed `fields`, validates the result.
 * - Show: streams the cloudlets matching the request.
 */
export function cloudletApi(deps: ApiDeps): { service: typeof CloudletApiService; implementation: CloudletApiServer } {
  const { kinds, objects, log } = deps;
  const implementation: CloudletApiServer = {
    createCloudlet: serverStream(log, 'CreateCloudlet', async (request: Cloudlet, send) => {
      validateCloudlet(request);
      const cloudlet: Cloudlet = { ...request, fields: [] };
      await objects.write((tx) => {
        const operatorName = cloudlet.key?.operator_key?.name ?? '';
        if (!tx.get(kinds.operator, keyString.operator(cloudlet.key?.operator_key))) {
          throw notFound(`operator ${operatorName}`, 'key.operator_key.name');
        }
        if (tx.get(kinds.cloudlet, keyString.cloudlet(cloudlet.key))) throw alreadyExists(what(cloudlet), 'key');
        tx.put(kinds.cloudlet, cloudlet);
      });
      await send(progress(`Created ${what(cloudlet)}`));
    }),
    deleteCloudlet: serverStream(log, 'DeleteCloudlet', async (request: Cloudlet, send) => {
      const key = keyString.cloudlet(request.key);
      await objects.write((tx) => {
        if (!tx.get(kinds.cloudlet, key)) throw notFound(what(request), 'key');
        const users = cloudletUsers(deps, key, tx);
        if (users.length > 0) throw inUse(what(request), users);
        tx.delete(kinds.cloudlet, key);
        tx.delete(kinds.cloudletInfo, key);
        tx.delete(kinds.cloudletRefs, key);
      });
      await send(progress(`Deleted ${what(request)}`));
    }),
    updateCloudlet: serverStream(log, 'UpdateCloudlet', async (request: Cloudlet, send) => {
      await objects.write((tx) => {
        const current = tx.get(kinds.cloudlet, keyString.cloudlet(request.key));
        if (!current) throw notFound(what(request), 'key');
        const updated = applyUpdateFields('edgeproto.Cloudlet', current, request, request.fields);
        updated.key = current.key;
        validateCloudlet(updated);
        tx.put(kinds.cloudlet, updated);
      });
      await send(progress(`Updated ${what(request)}`));
    }),
    showCloudlet: showStored(deps, 'ShowCloudlet', kinds.cloudlet),
  };
  return { service: CloudletApiService, implementation };
}
