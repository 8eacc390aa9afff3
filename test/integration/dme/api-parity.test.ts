import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DME_METHODS } from '../../../src/dme/api-call.js';
import type { DmeMethodName } from '../../../src/dme/metrics.js';
import { httpStatusOf } from '../../../src/dme/rest-gateway.js';
import { fromGrpcStatus } from '../../../src/core/errors.js';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import type { MatchEngineApiClient, RegisterClientReply } from '../../../src/gen/dme/app-client.js';
import { messageToJson } from '../../../src/wire/message-json.js';
import { metricValue } from '../../helpers/crm-harness.js';
import { app, appInst, BERLIN, cloudlet, cloudletInfo, DEV, HAMBURG, PARIS, POTSDAM } from '../../unit/dme/fixtures.js';
import { grpcCall, startFeed, startTestDme, type CallOutcome, type Feed, type TestDme } from './dme-harness.js';

interface Both {
  readonly grpc: CallOutcome<unknown>;
  readonly rest: CallOutcome<unknown>;
  readonly httpStatus: number;
}

/** Calls `name` with `request` over gRPC and over REST (proto-name JSON) and decodes both answers. */
async function both(t: TestDme, name: DmeMethodName, request: object): Promise<Both> {
  const m = DME_METHODS.find((x) => x.name === name);
  if (!m) throw new Error(name);
  const req = m.request.fromPartial(request as never);
  const method = t.grpc[m.grpcKey] as unknown as Parameters<typeof grpcCall>[1];
  const viaGrpc = await grpcCall(t.grpc as MatchEngineApiClient, method, req);
  const res = await t.rest(m.restPath, messageToJson(m.request, req));
  const json = res.json as { code: number; message: string; details: unknown[] };
  const viaRest: CallOutcome<unknown> = res.status === 200 ? { reply: m.reply.fromJSON(res.json) } : { code: json.code, message: json.message };
  if (res.status !== 200) expect(json.details).toEqual([]);
  return { grpc: viaGrpc, rest: viaRest, httpStatus: res.status };
}

/** Both transports gave the same answer; returns it. */
function same(b: Both): CallOutcome<unknown> {
  expect(b.rest).toEqual(b.grpc);
  if ('code' in b.grpc) expect(b.httpStatus).toBe(httpStatusOf(fromGrpcStatus(b.grpc.code)));
  else expect(b.httpStatus).toBe(200);
  return b.grpc;
}

describe('DME over gRPC and REST: the same answers for every method', () => {
  let feed: Feed;
  let t: TestDme;
  let cookie: string;

  beforeAll(async () => {
    feed = await startFeed();
    feed.apps.update(app('face', { permits_platform_apps: true, android_package_name: 'com.acme.face' }));
    feed.apps.update(app('game'));
    feed.cloudlets.update(cloudlet('berlin', BERLIN));
    feed.cloudlets.update(cloudlet('potsdam', POTSDAM));
    feed.cloudlets.update(cloudlet('hamburg', HAMBURG, 'Orange'));
    feed.cloudletInfos.update(cloudletInfo('berlin'));
    feed.cloudletInfos.update(cloudletInfo('potsdam'));
    feed.cloudletInfos.update(cloudletInfo('hamburg', CloudletState.CLOUDLET_STATE_READY, 'Orange'));
    for (const c of ['berlin', 'potsdam']) feed.appInsts.update(appInst('face', c));
    feed.appInsts.update(appInst('face', 'hamburg', { operator: 'Orange' }));
    t = await startTestDme([feed.address]);
    await t.dme.whenSynced(AbortSignal.timeout(5000));
    const reg = await grpcCall(t.grpc, t.grpc.registerClient, { ver: 1, dev_name: DEV, app_name: 'face', app_vers: '1.0', carrier_name: '' });
    cookie = (reg as { reply: RegisterClientReply }).reply.session_cookie;
  });

  afterAll(async () => {
    await t.close();
    await feed.stop();
  });

  it('mirrors the feed and reports its Node', async () => {
    expect(t.dme.status()).toEqual({ connected: true, synced: true, apps: 2, appInsts: 3, cloudlets: 3 });
    expect(feed.nodes.values().map((n) => n.key)).toEqual([{ name: 'dme-test', node_type: 1, cloudlet_key: undefined }]);
    expect(await metricValue(t.registry, 'cloudletd_dme_controller_connected')).toBe(1);
    expect(await metricValue(t.registry, 'cloudletd_dme_data_age_seconds')).toBe(0);
    expect(await metricValue(t.registry, 'cloudletd_dme_indexed_app_insts')).toBe(3);
  });

  it('RegisterClient: a cookie on both (each valid on the other transport), and the same errors', async () => {
    const ok = await both(t, 'RegisterClient', { ver: 1, dev_name: DEV, app_name: 'face', app_vers: '1.0' });
    expect(ok.httpStatus).toBe(200);
    const g = (ok.grpc as { reply: RegisterClientReply }).reply;
    const r = (ok.rest as { reply: RegisterClientReply }).reply;
    expect({ ...r, session_cookie: '' }).toEqual({ ...g, session_cookie: '' });
    expect(g.status).toBe(1);
    for (const c of [g.session_cookie, r.session_cookie]) {
      same(await both(t, 'FindCloudlet', { session_cookie: c, gps_location: BERLIN }));
    }
    expect(same(await both(t, 'RegisterClient', { dev_name: DEV, app_name: 'nope', app_vers: '1.0' }))).toMatchObject({ code: 5 });
    expect(same(await both(t, 'RegisterClient', { dev_name: DEV, app_name: 'face' }))).toMatchObject({ code: 3, message: expect.stringContaining('app_vers') as unknown });
    expect(same(await both(t, 'RegisterClient', { dev_name: DEV, app_name: 'face', app_vers: '1.0', auth_token: 'x.y.z' }))).toMatchObject({ code: 16 });
  });

  it('FindCloudlet: found, carrier filter, not found, bad location, no cookie, another app', async () => {
    expect(same(await both(t, 'FindCloudlet', { session_cookie: cookie, gps_location: BERLIN }))).toMatchObject({
      reply: { status: 1, fqdn: 'face.c1.berlin.example', ports: [{ proto: 1, internal_port: 8008, public_port: 10008 }] },
    });
    expect(same(await both(t, 'FindCloudlet', { session_cookie: cookie, carrier_name: 'Orange', gps_location: BERLIN }))).toMatchObject({ reply: { fqdn: 'face.c1.hamburg.example' } });
    expect(same(await both(t, 'FindCloudlet', { session_cookie: cookie, carrier_name: 'Vodafone', gps_location: BERLIN }))).toMatchObject({ reply: { status: 2 } });
    expect(same(await both(t, 'FindCloudlet', { session_cookie: cookie, gps_location: { latitude: 100, longitude: 0 } }))).toMatchObject({ code: 3 });
    expect(same(await both(t, 'FindCloudlet', { session_cookie: cookie }))).toMatchObject({ code: 3 });
    expect(same(await both(t, 'FindCloudlet', { gps_location: BERLIN }))).toMatchObject({ code: 16 });
    expect(same(await both(t, 'FindCloudlet', { session_cookie: cookie, gps_location: BERLIN, dev_name: DEV, app_name: 'game', app_vers: '1.0' }))).toMatchObject({ code: 7 });
  });

  it('VerifyLocation, GetAppInstList and GetFqdnList', async () => {
    expect(same(await both(t, 'VerifyLocation', { session_cookie: cookie, gps_location: BERLIN }))).toMatchObject({ reply: { gps_location_status: 1, gps_location_accuracy_km: 2 } });
    expect(same(await both(t, 'VerifyLocation', { session_cookie: cookie, gps_location: PARIS }))).toMatchObject({ reply: { gps_location_status: 2, gps_location_accuracy_km: -1 } });
    const list = same(await both(t, 'GetAppInstList', { session_cookie: cookie, carrier_name: 'TDG', gps_location: BERLIN }));
    expect(list).toMatchObject({ reply: { status: 1, cloudlets: [{ cloudlet_name: 'berlin' }, { cloudlet_name: 'potsdam' }] } });
    const fqdns = same(await both(t, 'GetFqdnList', { session_cookie: cookie }));
    expect(fqdns).toMatchObject({ reply: { status: 1, app_fqdns: [{ app_name: 'face', fqdns: ['face.c1.berlin.example', 'face.c1.hamburg.example', 'face.c1.potsdam.example'] }] } });
  });

  it('GetLocation and AddUserToGroup: UNIMPLEMENTED (501) with an explanation', async () => {
    expect(same(await both(t, 'GetLocation', { session_cookie: cookie }))).toMatchObject({ code: 12, message: expect.stringContaining('location service') as unknown });
    const group = await both(t, 'AddUserToGroup', { session_cookie: cookie, lg_id: 123n, comm_type: 1 });
    expect(same(group)).toMatchObject({ code: 12 });
    expect(group.httpStatus).toBe(501);
  });

  it('counts requests by method and result, over both transports', async () => {
    expect(await metricValue(t.registry, 'cloudletd_dme_requests_total', { method: 'GetLocation', result: 'UNIMPLEMENTED' })).toBe(2);
    expect(await metricValue(t.registry, 'cloudletd_dme_requests_total', { method: 'FindCloudlet', result: 'UNAUTHENTICATED' })).toBe(2);
    expect(await metricValue(t.registry, 'cloudletd_dme_request_duration_seconds', { method: 'FindCloudlet' })).toBeGreaterThanOrEqual(14);
    expect(await metricValue(t.registry, 'cloudletd_dme_find_cloudlet_total', { status: 'FIND_NOTFOUND' })).toBe(2);
  });
});
