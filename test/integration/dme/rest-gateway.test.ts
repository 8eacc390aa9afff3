import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, appInst, BERLIN, cloudlet, cloudletInfo, DEV } from '../../unit/dme/fixtures.js';
import { startFeed, startTestDme, type Feed, type TestDme } from './dme-harness.js';

describe('DME REST gateway', () => {
  let feed: Feed;
  let t: TestDme;

  beforeAll(async () => {
    feed = await startFeed();
    feed.apps.update(app('face'));
    feed.cloudlets.update(cloudlet('berlin', BERLIN));
    feed.cloudletInfos.update(cloudletInfo('berlin'));
    feed.appInsts.update(appInst('face', 'berlin'));
    t = await startTestDme([feed.address]);
    await t.dme.whenSynced(AbortSignal.timeout(5000));
  });

  afterAll(async () => {
    await t.close();
    await feed.stop();
  });

  it('answers JSON in proto field names, enums by name, defaults omitted', async () => {
    const reg = await t.rest('/v1/registerclient', { dev_name: DEV, app_name: 'face', app_vers: '1.0' });
    expect(reg.status).toBe(200);
    const cookie = (reg.json as { session_cookie: string }).session_cookie;
    expect(reg.json).toEqual({ status: 'RS_SUCCESS', session_cookie: cookie });
    const found = await t.rest('/v1/findcloudlet', { session_cookie: cookie, gps_location: BERLIN });
    expect(found).toEqual({
      status: 200,
      json: {
        status: 'FIND_FOUND', fqdn: 'face.c1.berlin.example',
        ports: [{ proto: 'L_PROTO_TCP', internal_port: 8008, public_port: 10008 }],
        cloudlet_location: BERLIN,
      },
    });
  });

  it('accepts lowerCamelCase JSON names as protojson does, and enum values by name or number', async () => {
    const reg = await t.rest('/v1/registerclient', { devName: DEV, appName: 'face', appVers: '1.0' });
    expect(reg.status).toBe(200);
    const cookie = (reg.json as { session_cookie: string }).session_cookie;
    const found = await t.rest('/v1/findcloudlet', { sessionCookie: cookie, gpsLocation: { latitude: 52.5, longitude: 13.4 } });
    expect(found.json).toMatchObject({ status: 'FIND_FOUND' });
    const group = await t.rest('/v1/addusertogroup', { session_cookie: cookie, lg_id: '18446744073709551615', comm_type: 'DLG_SECURE' });
    expect(group.status).toBe(501);
  });

  it('maps errors to HTTP statuses with the grpc-gateway body', async () => {
    expect(await t.rest('/v1/findcloudlet', {})).toEqual({
      status: 401, json: { code: 16, message: expect.stringContaining('session_cookie') as unknown, details: [] },
    });
    expect(await t.rest('/v1/registerclient', { dev_name: DEV, app_name: 'nope', app_vers: '1.0' })).toMatchObject({ status: 404, json: { code: 5 } });
    expect(await t.rest('/v1/registerclient', {})).toMatchObject({ status: 400, json: { code: 3, message: expect.stringContaining('dev_name') as unknown } });
    expect(await t.rest('/v1/registerclient', '')).toMatchObject({ status: 400, json: { code: 3 } }); // empty body: the empty request
  });

  it('refuses what is not a request: bad JSON, non-objects, other paths and methods, big bodies', async () => {
    expect(await t.rest('/v1/registerclient', '{"dev_name":')).toMatchObject({ status: 400, json: { code: 3, message: expect.stringContaining('JSON') as unknown, details: [] } });
    expect(await t.rest('/v1/registerclient', '[1,2]')).toMatchObject({ status: 400, json: { code: 3 } });
    expect(await t.rest('/v1/registerclient', 'null')).toMatchObject({ status: 400, json: { code: 3 } });
    expect(await t.rest('/v1/findcloudlet', { session_cookie: 'x', gps_location: { timestamp: { seconds: 'soon' } } })).toMatchObject({ status: 400, json: { code: 3 } });
    expect(await t.rest('/v1/nothing', {})).toMatchObject({ status: 404, json: { code: 5, details: [] } });
    expect(await t.rest('/v1/findcloudlet', undefined, { method: 'GET' })).toMatchObject({ status: 405, json: { code: 12 } });
    const big = { dev_name: 'x'.repeat(70 * 1024) };
    expect(await t.rest('/v1/registerclient', big)).toMatchObject({ status: 413, json: { code: 8, details: [] } });
    // The gateway still works afterwards.
    expect((await t.rest('/v1/registerclient', { dev_name: DEV, app_name: 'face', app_vers: '1.0' })).status).toBe(200);
  });
});
