import * as dmeAppClient from '../gen/dme/app-client.js';
import * as dmeAppCommon from '../gen/dme/appcommon.js';
import * as dmeLoc from '../gen/dme/loc.js';
import * as app from '../gen/edgeproto/app.js';
import * as appInst from '../gen/edgeproto/app_inst.js';
import * as cloudlet from '../gen/edgeproto/cloudlet.js';
import * as cluster from '../gen/edgeproto/cluster.js';
import * as clusterInst from '../gen/edgeproto/clusterinst.js';
import * as common from '../gen/edgeproto/common.js';
import * as controller from '../gen/edgeproto/controller.js';
import * as developer from '../gen/edgeproto/developer.js';
import * as exec from '../gen/edgeproto/exec.js';
import * as flavor from '../gen/edgeproto/flavor.js';
import * as metric from '../gen/edgeproto/metric.js';
import * as node from '../gen/edgeproto/node.js';
import * as notice from '../gen/edgeproto/notice.js';
import * as operator from '../gen/edgeproto/operator.js';
import * as refs from '../gen/edgeproto/refs.js';
import * as result from '../gen/edgeproto/result.js';
import * as version from '../gen/edgeproto/version.js';
import * as any from '../gen/google/protobuf/any.js';
import * as timestamp from '../gen/google/protobuf/timestamp.js';
import type { MessageCodec, MessageType } from './message-codec.js';

const modulesByPackage: Readonly<Record<string, readonly object[]>> = {
  edgeproto: [
    app, appInst, cloudlet, cluster, clusterInst, common, controller, developer, exec, flavor, metric, node,
    notice, operator, refs, result, version,
  ],
  distributed_match_engine: [dmeAppClient, dmeAppCommon, dmeLoc],
  'google.protobuf': [any, timestamp],
};

function isCodec(value: unknown): value is MessageCodec {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['encode', 'decode', 'fromJSON', 'toJSON', 'fromPartial'].every((fn) => typeof candidate[fn] === 'function');
}

/**
 * Generated code names a nested message `Outer_Inner`; protobuf names it `Outer.Inner`. No top-level message of
 * these packages has an underscore in its name, so the mapping is unambiguous.
 */
function protoName(exportName: string): string {
  return exportName.replaceAll('_', '.');
}

function buildRegistry(): ReadonlyMap<string, MessageType> {
  const registry = new Map<string, MessageType>();
  for (const [pkg, modules] of Object.entries(modulesByPackage)) {
    for (const mod of modules) {
      for (const [exportName, value] of Object.entries(mod)) {
        if (!isCodec(value)) continue;
        const fullName = `${pkg}.${protoName(exportName)}`;
        registry.set(fullName, { fullName, codec: value });
      }
    }
  }
  return registry;
}

/**
 * Every message type of the edgeproto, distributed_match_engine and well-known packages, by full protobuf name
 * (`edgeproto.AppInst`, `distributed_match_engine.FindCloudletReply`, `edgeproto.CloudletRefs.RootLbPortsEntry`).
 * Built once at module load from the generated code; read-only.
 */
export const messageTypes: ReadonlyMap<string, MessageType> = buildRegistry();

/** The message type with this full protobuf name, or undefined when it is not part of the schema. Pure. */
export function findMessageType(fullName: string): MessageType | undefined {
  return messageTypes.get(fullName);
}
