/**
 * CloudletRefs and ClusterRefs: what the ClusterInsts and AppInsts of a cloudlet use. Refs are never adjusted
 * incrementally; {@link syncRefs} recomputes them from the objects as the transaction sees them, in the same
 * transaction that changed the objects, so they always equal the sum of what exists (and a Flavor whose size
 * changed cannot make them drift).
 */
import type { EdgeprotoKinds } from '../../cache/kinds.js';
import type { ObjectKind } from '../../cache/object-kind.js';
import { Code, CodedError } from '../../core/errors.js';
import { LProto } from '../../gen/dme/appcommon.js';
import type { AppInst } from '../../gen/edgeproto/app_inst.js';
import type { CloudletInfo, CloudletKey } from '../../gen/edgeproto/cloudlet.js';
import type { ClusterInst } from '../../gen/edgeproto/clusterinst.js';
import { IpAccess } from '../../gen/edgeproto/common.js';
import type { CloudletRefs, ClusterRefs } from '../../gen/edgeproto/refs.js';
import { keyString } from '../../wire/object-key.js';
import type { WriteTx } from '../object-store.js';

/** RAM (MB), vCPUs and disk (GB). */
export interface Usage {
  readonly ram: bigint;
  readonly vcores: bigint;
  readonly disk: bigint;
}

const ZERO: Usage = Object.freeze({ ram: 0n, vcores: 0n, disk: 0n });

function add(a: Usage, b: Usage): Usage {
  return { ram: a.ram + b.ram, vcores: a.vcores + b.vcores, disk: a.disk + b.disk };
}

/** Protocol bits of CloudletRefs.root_lb_ports: tcp 1, udp 2. */
export function protocolBit(proto: LProto): number {
  return proto === LProto.L_PROTO_TCP ? 1 : proto === LProto.L_PROTO_UDP ? 2 : 0;
}

/** Number of VMs a ClusterInst takes: masters plus nodes, at least one. */
export function nodeCount(ci: ClusterInst): bigint {
  return BigInt(Math.max(1, ci.num_masters + ci.num_nodes));
}

/** What a ClusterInst takes from its cloudlet: its flavor times {@link nodeCount}; zero if the flavor is gone. */
export function clusterInstUsage(tx: WriteTx, kinds: EdgeprotoKinds, ci: ClusterInst): Usage {
  const flavor = tx.get(kinds.flavor, keyString.flavor(ci.flavor));
  if (!flavor) return ZERO;
  const n = nodeCount(ci);
  return { ram: flavor.ram * n, vcores: flavor.vcpus * n, disk: flavor.disk * n };
}

/** What an AppInst takes from its ClusterInst: its flavor; zero if the flavor is gone. */
export function appInstUsage(tx: WriteTx, kinds: EdgeprotoKinds, ai: AppInst): Usage {
  const flavor = tx.get(kinds.flavor, keyString.flavor(ai.flavor));
  return flavor ? { ram: flavor.ram, vcores: flavor.vcpus, disk: flavor.disk } : ZERO;
}

/** Root-LB ports of the AppInsts given (those on SHARED ClusterInsts), except the AppInst with key `except`. */
function portsOf(
  appInsts: ReadonlyArray<readonly [string, AppInst]>,
  sharedClusterInsts: ReadonlySet<string>,
  except?: string,
  clusterInstKeyOf: (ai: AppInst) => string = (ai) => keyString.clusterInst(ai.key?.cluster_inst_key),
): Record<number, number> {
  const ports: Record<number, number> = {};
  for (const [key, ai] of appInsts) {
    if (key === except || !sharedClusterInsts.has(clusterInstKeyOf(ai))) continue;
    for (const port of ai.mapped_ports) {
      const bit = protocolBit(port.proto);
      if (bit !== 0 && port.public_port > 0) ports[port.public_port] = (ports[port.public_port] ?? 0) | bit;
    }
  }
  return ports;
}

function sharedOf(clusterInsts: ReadonlyArray<readonly [string, ClusterInst]>): Set<string> {
  return new Set(clusterInsts.filter(([, ci]) => ci.ip_access === IpAccess.IP_ACCESS_SHARED).map(([key]) => key));
}

/** The root-LB ports in use on a cloudlet: tcp/udp public ports of AppInsts on SHARED ClusterInsts. */
export function rootLbPorts(tx: WriteTx, kinds: EdgeprotoKinds, cloudlet: string, except?: string): Record<number, number> {
  return portsOf(tx.listOnCloudlet(kinds.appInst, cloudlet), sharedOf(tx.listOnCloudlet(kinds.clusterInst, cloudlet)), except);
}

/**
 * The refs of one cloudlet computed from the objects the transaction sees. Pure over `tx`; the cost is the
 * number of instances on that cloudlet (one pass each, through the per-cloudlet index).
 */
export function computeRefs(tx: WriteTx, kinds: EdgeprotoKinds, cloudletKey: CloudletKey | undefined): { cloudlet: CloudletRefs; clusters: ClusterRefs[] } {
  const cloudlet = keyString.cloudlet(cloudletKey);
  const clusterInsts = tx.listOnCloudlet(kinds.clusterInst, cloudlet);
  const appInsts = tx.listOnCloudlet(kinds.appInst, cloudlet);
  const appsByClusterInst = new Map<string, AppInst[]>();
  const clusterInstKeys = new Map<AppInst, string>();
  for (const [, ai] of appInsts) {
    const ciKey = keyString.clusterInst(ai.key?.cluster_inst_key);
    clusterInstKeys.set(ai, ciKey);
    const list = appsByClusterInst.get(ciKey);
    if (list) list.push(ai);
    else appsByClusterInst.set(ciKey, [ai]);
  }
  let used = ZERO;
  for (const [, ci] of clusterInsts) used = add(used, clusterInstUsage(tx, kinds, ci));
  const refs: CloudletRefs = {
    key: cloudletKey,
    clusters: clusterInsts.map(([, ci]) => ({ name: ci.key?.cluster_key?.name ?? '' })),
    used_ram: used.ram,
    used_vcores: used.vcores,
    used_disk: used.disk,
    root_lb_ports: portsOf(appInsts, sharedOf(clusterInsts), undefined, (ai) => clusterInstKeys.get(ai) ?? ''),
    used_dynamic_ips: clusterInsts.filter(([, ci]) => ci.ip_access === IpAccess.IP_ACCESS_DEDICATED).length,
    used_static_ips: '',
  };
  const usageByFlavor = new Map<string, Usage>();
  const clusters = clusterInsts.map(([ciKey, ci]): ClusterRefs => {
    const apps = appsByClusterInst.get(ciKey) ?? [];
    let appUse = ZERO;
    for (const ai of apps) {
      const flavorName = ai.flavor?.name ?? '';
      let use = usageByFlavor.get(flavorName);
      if (!use) usageByFlavor.set(flavorName, (use = appInstUsage(tx, kinds, ai)));
      appUse = add(appUse, use);
    }
    return {
      key: ci.key,
      apps: apps.map((ai) => ai.key?.app_key ?? { name: '', version: '' }),
      used_ram: appUse.ram,
      used_vcores: appUse.vcores,
      used_disk: appUse.disk,
    };
  });
  return { cloudlet: refs, clusters };
}

/**
 * Rewrites the CloudletRefs of a cloudlet and the ClusterRefs of its ClusterInsts from the objects the
 * transaction sees, and removes ClusterRefs of ClusterInsts that are gone. Call it in every transaction that
 * changes ClusterInsts or AppInsts of the cloudlet. Nothing is written for a cloudlet that no longer exists.
 */
export function syncRefs(tx: WriteTx, kinds: EdgeprotoKinds, cloudletKey: CloudletKey | undefined): void {
  const cloudlet = keyString.cloudlet(cloudletKey);
  const { cloudlet: refs, clusters } = computeRefs(tx, kinds, cloudletKey);
  const live = new Set(clusters.map((c) => kinds.clusterRefs.keyOf(c)));
  for (const [key] of tx.listOnCloudlet(kinds.clusterRefs, cloudlet)) {
    if (!live.has(key)) tx.delete(kinds.clusterRefs, key);
  }
  if (!tx.get(kinds.cloudlet, cloudlet)) return;
  putIfChanged(tx, kinds.cloudletRefs, refs);
  for (const c of clusters) putIfChanged(tx, kinds.clusterRefs, c);
}

/** Puts `value` unless the transaction already sees identical content (keeps transactions small). */
function putIfChanged<T>(tx: WriteTx, kind: ObjectKind<T>, value: T): void {
  const old = tx.get(kind, kind.keyOf(value));
  if (old !== undefined && Buffer.compare(kind.codec.encode(old).finish(), kind.codec.encode(value).finish()) === 0) return;
  tx.put(kind, value);
}

/** Sum of the ClusterInsts' usage on a cloudlet, and how many use a dedicated IP, as the transaction sees them. */
export function cloudletUsage(tx: WriteTx, kinds: EdgeprotoKinds, cloudletKey: CloudletKey | undefined): { usage: Usage; dynamicIps: number } {
  const { cloudlet } = computeRefs(tx, kinds, cloudletKey);
  return { usage: { ram: cloudlet.used_ram, vcores: cloudlet.used_vcores, disk: cloudlet.used_disk }, dynamicIps: cloudlet.used_dynamic_ips };
}

function exhausted(message: string): CodedError {
  return new CodedError(Code.RESOURCE_EXHAUSTED, message);
}

/**
 * Throws RESOURCE_EXHAUSTED naming the resource and the amounts when `after` exceeds a limit of the cloudlet and
 * grew from `before` (a change that shrinks usage is always allowed). Limits are CloudletInfo's os_max_ram,
 * os_max_vcores, os_max_vol_gb (0 or no CloudletInfo: no limit) and the Cloudlet's num_dynamic_ips. Pure.
 */
export function checkFits(
  what: string,
  before: { usage: Usage; dynamicIps: number },
  after: { usage: Usage; dynamicIps: number },
  info: CloudletInfo | undefined,
  dynamicIpLimit: number,
): void {
  const limits: Array<[keyof Usage, string, string, bigint]> = [
    ['ram', 'RAM', 'MB', info?.os_max_ram ?? 0n],
    ['vcores', 'vCPUs', '', info?.os_max_vcores ?? 0n],
    ['disk', 'disk', 'GB', info?.os_max_vol_gb ?? 0n],
  ];
  for (const [field, name, unit, max] of limits) {
    const need = after.usage[field] - before.usage[field];
    if (max > 0n && after.usage[field] > max && need > 0n) {
      const u = unit ? ` ${unit}` : '';
      throw exhausted(`not enough ${name} on ${what}: need ${need}${u} more, ${before.usage[field]}${u} of ${max}${u} in use`);
    }
  }
  if (after.dynamicIps > dynamicIpLimit && after.dynamicIps > before.dynamicIps) {
    throw exhausted(`no dynamic IP left on ${what}: ${before.dynamicIps} of ${dynamicIpLimit} in use`);
  }
}
