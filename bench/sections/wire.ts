/**
 * Section `wire`: protobuf encode+decode of a realistic AppInst, alone and wrapped as the notify protocol
 * sends it (google.protobuf.Any inside a Notice), each beside a JSON round trip of the same AppInst.
 *
 * The three candidates are measured in the same interleaved rounds, so the shared baseline is measured
 * once and noise lands on all of them alike.
 */
import { isDeepStrictEqual } from 'node:util';

import { LProto } from '../../src/gen/dme/appcommon.js';
import { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import { CRMOverride, IpAccess, Liveness, TrackedState } from '../../src/gen/edgeproto/common.js';
import { Notice, NoticeAction } from '../../src/gen/edgeproto/notice.js';
import { Any } from '../../src/gen/google/protobuf/any.js';
import { formatSpread, interleave } from '../lib/measure.js';
import type { Figure, Section } from '../lib/types.js';

const APPINST_TYPE_URL = 'type.googleapis.com/edgeproto.AppInst';

/**
 * Timing: 3 candidates x 7 rounds x (100 ms warm-up + 550 ms) = 13.7 s. More, shorter rounds make the
 * median sturdier on a busy machine than few long ones.
 */
const TIMING = { rounds: 7, warmupMs: 100, durationMs: 550, batch: 200 } as const;

/** An AppInst as the controller sends it to a CRM: full key, location, ports, runtime info, timestamps. */
export function sampleAppInst(): AppInst {
  return AppInst.fromPartial({
    key: {
      app_key: {
        developer_key: { name: 'AcmeRobotics' },
        name: 'vision-inference',
        version: '2.4.1',
      },
      cluster_inst_key: {
        cluster_key: { name: 'autocluster-vision-inference' },
        cloudlet_key: { operator_key: { name: 'TDG' }, name: 'berlin-main-01' },
        developer: 'AcmeRobotics',
      },
    },
    cloudlet_loc: {
      latitude: 52.520008,
      longitude: 13.404954,
      horizontal_accuracy: 5,
      altitude: 34,
      timestamp: { seconds: 1732600000n, nanos: 125_000_000 },
    },
    uri: 'berlin-main-01.tdg.mobiledgex.net',
    liveness: Liveness.LIVENESS_STATIC,
    mapped_ports: [
      { proto: LProto.L_PROTO_TCP, internal_port: 8443, public_port: 443, fqdn_prefix: 'vision-inference-tcp.' },
      { proto: LProto.L_PROTO_TCP, internal_port: 9000, public_port: 10001, fqdn_prefix: 'vision-inference-tcp.' },
      { proto: LProto.L_PROTO_UDP, internal_port: 5000, public_port: 10002, fqdn_prefix: 'vision-inference-udp.' },
      {
        proto: LProto.L_PROTO_HTTP,
        internal_port: 8080,
        public_port: 443,
        path_prefix: '/acmerobotics/vision-inference/v2',
      },
    ],
    flavor: { name: 'x1.medium' },
    state: TrackedState.READY,
    errors: [],
    crm_override: CRMOverride.NO_OVERRIDE,
    runtime_info: {
      container_ids: [
        'vision-inference-deployment-7d9f8c6b5-2xkqp',
        'vision-inference-deployment-7d9f8c6b5-9zlmw',
        'vision-inference-sidecar-envoy-5c4d',
      ],
    },
    created_at: { seconds: 1732512345n, nanos: 987_654_321 },
    auto_cluster_ip_access: IpAccess.IP_ACCESS_SHARED,
  });
}

/** Protobuf: AppInst -> bytes -> AppInst. */
function protoRoundTrip(msg: AppInst): AppInst {
  return AppInst.decode(AppInst.encode(msg).finish());
}

/** Packs an AppInst as the notify protocol sends it: Notice{UPDATE, Any{type_url, AppInst bytes}}. */
function packNotice(msg: AppInst): Notice {
  return {
    action: NoticeAction.UPDATE,
    version: 1,
    any: Any.fromPartial({ type_url: APPINST_TYPE_URL, value: Buffer.from(AppInst.encode(msg).finish()) }),
    want_objs: [],
    filter_cloudlet_key: false,
  };
}

/** The notify path: AppInst -> Any -> Notice -> bytes -> Notice -> Any -> AppInst. */
function noticeRoundTrip(msg: AppInst): AppInst {
  const received = Notice.decode(Notice.encode(packNotice(msg)).finish());
  const any = received.any;
  if (any === undefined || any.type_url !== APPINST_TYPE_URL) {
    throw new Error(`notice carries ${any?.type_url ?? 'nothing'}, expected ${APPINST_TYPE_URL}`);
  }
  return AppInst.decode(any.value);
}

/** Baseline: AppInst -> toJSON -> JSON text -> parse -> fromJSON -> AppInst. */
function jsonRoundTrip(msg: AppInst): AppInst {
  return AppInst.fromJSON(JSON.parse(JSON.stringify(AppInst.toJSON(msg))));
}

function assertSame(what: string, got: AppInst, want: AppInst): void {
  if (!isDeepStrictEqual(got, want)) {
    throw new Error(`${what} does not give back the same AppInst; the bench would measure a broken path`);
  }
}

export const wireSection: Section = {
  name: 'wire',
  description: 'edgeproto AppInst protobuf encode+decode (plain and as Notice{Any}) vs a JSON round trip',
  async run(ctx) {
    const msg = sampleAppInst();
    assertSame('protobuf round trip', protoRoundTrip(msg), msg);
    assertSame('notice round trip', noticeRoundTrip(msg), msg);
    assertSame('JSON round trip', jsonRoundTrip(msg), msg);

    const protoBytes = AppInst.encode(msg).finish().length;
    const noticeBytes = Notice.encode(packNotice(msg)).finish().length;
    const jsonBytes = Buffer.byteLength(JSON.stringify(AppInst.toJSON(msg)));
    ctx.log(`AppInst: ${protoBytes} B protobuf, ${noticeBytes} B as Notice, ${jsonBytes} B JSON`);

    const r = await interleave({
      ...TIMING,
      candidates: {
        proto: () => protoRoundTrip(msg),
        notice: () => noticeRoundTrip(msg),
        json: () => jsonRoundTrip(msg),
      },
      onSample: (name, round, ops) => ctx.log(`round ${round + 1}/${TIMING.rounds} ${name}: ${Math.round(ops)} msg/s`),
    });

    // Baseline (both figures): JSON round trip, toJSON + stringify + parse + fromJSON, of the same AppInst.
    const spreads = (value: number): string =>
      `median of ${TIMING.rounds} rounds, spread ${formatSpread(value)} (baseline ${formatSpread(r.json.spread)})`;
    const figures: Figure[] = [
      {
        name: 'appinst_encode_decode',
        value: r.proto.median,
        unit: 'messages/s',
        baseline: r.json.median,
        note: `${protoBytes} B vs JSON ${jsonBytes} B; ${spreads(r.proto.spread)}`,
      },
      {
        name: 'notice_pack_unpack',
        value: r.notice.median,
        unit: 'messages/s',
        baseline: r.json.median,
        note: `Notice{Any} ${noticeBytes} B vs JSON ${jsonBytes} B; ${spreads(r.notice.spread)}`,
      },
    ];
    return figures;
  },
};
