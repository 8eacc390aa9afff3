import { Code, CodedError } from '../../core/errors.js';
import { LProto, type AppPort } from '../../gen/dme/appcommon.js';
import type { AccessPort } from '../validation/access-ports.js';
import { protocolBit } from './refs.js';

/** First public port handed out on a cloudlet's shared root load balancer. */
export const ROOT_LB_FIRST_PORT = 10000;

/** Last public port handed out on the root load balancer. */
export const ROOT_LB_LAST_PORT = 65535;

/** The root load balancer's L7 port: every http access port is served there, by path. */
export const ROOT_LB_L7_PORT = 443;

/**
 * The mapped ports of an AppInst (the original's AppInst.mapped_ports).
 *
 * - Shared access (the ClusterInst is IP_ACCESS_SHARED, so the app is reached through the cloudlet's root load
 *   balancer): each tcp/udp port gets the lowest public port from {@link ROOT_LB_FIRST_PORT} whose bit for its
 *   protocol (tcp 1, udp 2) is free in `used` (CloudletRefs.root_lb_ports); 443 is never handed out. Each http
 *   port maps to 443 with `path_prefix` = the app's name.
 * - Dedicated access: the cluster has its own load balancer, so every public port equals the internal one.
 *
 * `used` is updated in place with the ports taken. Throws RESOURCE_EXHAUSTED when no port is left.
 */
export function mapPorts(ports: readonly AccessPort[], appName: string, shared: boolean, used: Record<number, number>, what: string): AppPort[] {
  return ports.map((p): AppPort => {
    const base: AppPort = { proto: p.proto, internal_port: p.port, public_port: p.port, path_prefix: '', fqdn_prefix: '' };
    if (!shared) return base;
    if (p.proto === LProto.L_PROTO_HTTP) return { ...base, public_port: ROOT_LB_L7_PORT, path_prefix: appName };
    const bit = protocolBit(p.proto);
    for (let port = ROOT_LB_FIRST_PORT; port <= ROOT_LB_LAST_PORT; port++) {
      if (port === ROOT_LB_L7_PORT) continue;
      const taken = used[port] ?? 0;
      if ((taken & bit) === 0) {
        used[port] = taken | bit;
        return { ...base, public_port: port };
      }
    }
    throw new CodedError(Code.RESOURCE_EXHAUSTED, `no free ${p.proto === LProto.L_PROTO_TCP ? 'tcp' : 'udp'} port left on the root load balancer of ${what}`);
  });
}

/** A DNS-safe label: lower case, spaces and `&,!.` removed, `_` → `-`, no leading or trailing `-`. Pure. */
export function dnsSanitize(name: string): string {
  return name.toLowerCase().replace(/[ &,!.]/g, '').replace(/_/g, '-').replace(/[^a-z0-9-]/g, '').replace(/^-+|-+$/g, '');
}

/**
 * The FQDN of an AppInst: `<cloudlet>.<operator>.cloudletd.net` (the shared root load balancer), prefixed with
 * the cluster name for dedicated access (its own load balancer). Labels are {@link dnsSanitize}d. Pure.
 */
export function appInstUri(cloudletName: string, operatorName: string, clusterName: string, shared: boolean): string {
  const root = `${dnsSanitize(cloudletName)}.${dnsSanitize(operatorName)}.cloudletd.net`;
  return shared ? root : `${dnsSanitize(clusterName)}.${root}`;
}
