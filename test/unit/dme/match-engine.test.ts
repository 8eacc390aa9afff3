import { describe, expect, it } from 'vitest';
import { Code, type CodedError } from '../../../src/core/errors.js';
import {
  AppInstListReply_AIStatus, FindCloudletReply_FindStatus as Find, FqdnListReply_FLStatus, ReplyStatus,
  VerifyLocationReply_GPSLocationStatus as Gps,
} from '../../../src/gen/dme/app-client.js';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import {
  app, appInst, authToken, BERLIN, cloudlet, cloudletInfo, DEV, developerKey, engineEnv, HAMBURG, MUNICH, PARIS, POTSDAM,
  type EngineEnv,
} from './fixtures.js';

async function refusal(promise: Promise<unknown>): Promise<CodedError> {
  try {
    await promise;
  } catch (err) {
    return err as CodedError;
  }
  throw new Error('expected a refusal');
}

const register = (e: EngineEnv, fields: Partial<{ dev_name: string; app_name: string; app_vers: string; auth_token: string }>) =>
  e.engine.registerClient({ ver: 1, dev_name: DEV, app_name: 'face', app_vers: '1.0', carrier_name: '', ...fields });

/** face on berlin (TDG), potsdam (TDG), hamburg (Orange), munich (TDG, cloudlet ERRORS); all READY cloudlets otherwise. */
async function world(options: { carrier?: string } = {}): Promise<EngineEnv> {
  const e = await engineEnv(options);
  e.caches.apps.update(app('face'));
  e.caches.apps.update(app('game'));
  e.caches.cloudlets.update(cloudlet('berlin', BERLIN));
  e.caches.cloudlets.update(cloudlet('potsdam', POTSDAM));
  e.caches.cloudlets.update(cloudlet('hamburg', HAMBURG, 'Orange'));
  e.caches.cloudlets.update(cloudlet('munich', MUNICH));
  e.caches.cloudletInfos.update(cloudletInfo('berlin'));
  e.caches.cloudletInfos.update(cloudletInfo('potsdam'));
  e.caches.cloudletInfos.update(cloudletInfo('hamburg', CloudletState.CLOUDLET_STATE_READY, 'Orange'));
  e.caches.cloudletInfos.update(cloudletInfo('munich', CloudletState.CLOUDLET_STATE_ERRORS));
  for (const c of ['berlin', 'potsdam', 'munich']) e.caches.appInsts.update(appInst('face', c));
  e.caches.appInsts.update(appInst('face', 'hamburg', { operator: 'Orange' }));
  return e;
}

const find = async (e: EngineEnv, at: { latitude: number; longitude: number }, carrier = '', appName = 'face') =>
  e.engine.findCloudlet({ ver: 1, session_cookie: await e.cookieFor(appName), carrier_name: carrier, gps_location: at as never, dev_name: '', app_name: '', app_vers: '' });

describe('RegisterClient', () => {
  it('returns RS_SUCCESS with a cookie for a known app', async () => {
    const e = await world();
    const reply = await register(e, {});
    expect(reply.status).toBe(ReplyStatus.RS_SUCCESS);
    await expect(e.cookies.verify(reply.session_cookie)).resolves.toEqual({ developer: DEV, name: 'face', version: '1.0' });
  });

  it('names a missing field (INVALID_ARGUMENT) and an unknown app (NOT_FOUND)', async () => {
    const e = await world();
    for (const field of ['dev_name', 'app_name', 'app_vers'] as const) {
      const err = await refusal(register(e, { [field]: '' }));
      expect(err.code).toBe(Code.INVALID_ARGUMENT);
      expect(err.field).toBe(field);
      expect(err.message).toContain(field);
    }
    const err = await refusal(register(e, { app_name: 'nope' }));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.message).toContain('"nope"');
  });

  it('requires an auth token signed with the App auth_public_key when it has one', async () => {
    const e = await world();
    const dev = await developerKey();
    const other = await developerKey();
    e.caches.apps.update(app('face', { auth_public_key: dev.publicPem }));
    expect((await register(e, { auth_token: await authToken(dev.privateKey) })).status).toBe(ReplyStatus.RS_SUCCESS);
    const missing = await refusal(register(e, {}));
    expect(missing.code).toBe(Code.INVALID_ARGUMENT);
    expect(missing.field).toBe('auth_token');
    expect((await refusal(register(e, { auth_token: '' }))).code).toBe(Code.INVALID_ARGUMENT);
    expect((await refusal(register(e, { auth_token: await authToken(other.privateKey) }))).code).toBe(Code.UNAUTHENTICATED);
    const expired = await authToken(dev.privateKey, {}, Math.floor(Date.now() / 1000) - 10);
    expect((await refusal(register(e, { auth_token: expired }))).code).toBe(Code.UNAUTHENTICATED);
  });

  it('refuses a token for an App without auth_public_key, and accepts an empty one', async () => {
    const e = await world();
    const dev = await developerKey();
    const err = await refusal(register(e, { auth_token: await authToken(dev.privateKey) }));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.message).toContain('no auth_public_key');
    expect((await register(e, { auth_token: '' })).status).toBe(ReplyStatus.RS_SUCCESS);
  });
});

describe('session cookie on every other call', () => {
  it('is required, must verify and its app must still exist', async () => {
    const e = await world();
    const req = { ver: 1, carrier_name: '', gps_location: BERLIN as never, dev_name: '', app_name: '', app_vers: '' };
    expect((await refusal(e.engine.findCloudlet({ ...req, session_cookie: '' }))).code).toBe(Code.UNAUTHENTICATED);
    expect((await refusal(e.engine.findCloudlet({ ...req, session_cookie: 'x.y.z' }))).code).toBe(Code.UNAUTHENTICATED);
    const cookie = await e.cookieFor('game');
    e.caches.apps.delete(keyString.app({ developer_key: { name: DEV }, name: 'game', version: '1.0' }));
    const gone = await refusal(e.engine.getFqdnList({ ver: 1, session_cookie: cookie }));
    expect(gone.code).toBe(Code.UNAUTHENTICATED);
    expect(gone.message).toContain('no longer exists');
  });

  it('fixes the app: FindCloudlet for another app is PERMISSION_DENIED, the same app is fine', async () => {
    const e = await world();
    const cookie = await e.cookieFor('face');
    const base = { ver: 1, session_cookie: cookie, carrier_name: '', gps_location: BERLIN as never };
    const err = await refusal(e.engine.findCloudlet({ ...base, dev_name: DEV, app_name: 'game', app_vers: '1.0' }));
    expect(err.code).toBe(Code.PERMISSION_DENIED);
    const same = await e.engine.findCloudlet({ ...base, dev_name: DEV, app_name: 'face', app_vers: '1.0' });
    expect(same.status).toBe(Find.FIND_FOUND);
  });
});

describe('FindCloudlet', () => {
  it('finds the nearest READY instance with its uri, mapped ports and cloudlet location', async () => {
    const e = await world();
    const reply = await find(e, { latitude: 52.4, longitude: 13.1 });
    expect(reply.status).toBe(Find.FIND_FOUND);
    expect(reply.fqdn).toBe('face.c1.potsdam.example');
    expect(reply.ports).toEqual([{ proto: 1, internal_port: 8008, public_port: 10008, path_prefix: '', fqdn_prefix: '' }]);
    expect(reply.cloudlet_location).toMatchObject(POTSDAM);
    expect((await find(e, BERLIN)).fqdn).toBe('face.c1.berlin.example');
  });

  it('filters by carrier: the request carrier wins, else the configured one, else any', async () => {
    const any = await world();
    expect((await find(any, HAMBURG)).fqdn).toBe('face.c1.hamburg.example');
    expect((await find(any, HAMBURG, 'TDG')).fqdn).toBe('face.c1.potsdam.example');
    expect((await find(any, BERLIN, 'Orange')).fqdn).toBe('face.c1.hamburg.example');
    expect((await find(any, BERLIN, 'Vodafone')).status).toBe(Find.FIND_NOTFOUND);
    const tdg = await world({ carrier: 'TDG' });
    expect((await find(tdg, HAMBURG)).fqdn).toBe('face.c1.potsdam.example');
    expect((await find(tdg, HAMBURG, 'Orange')).fqdn).toBe('face.c1.hamburg.example');
  });

  it('skips offline and unknown cloudlets, uses ERRORS ones, and comes back when READY again', async () => {
    const e = await world();
    e.caches.cloudletInfos.update(cloudletInfo('berlin', CloudletState.CLOUDLET_STATE_OFFLINE));
    expect((await find(e, BERLIN, 'TDG')).fqdn).toBe('face.c1.potsdam.example');
    e.caches.cloudletInfos.delete(keyString.cloudlet({ operator_key: { name: 'TDG' }, name: 'potsdam' }));
    expect((await find(e, BERLIN, 'TDG')).fqdn).toBe('face.c1.munich.example'); // ERRORS: usable
    e.caches.cloudletInfos.update(cloudletInfo('munich', CloudletState.CLOUDLET_STATE_NOT_PRESENT));
    expect((await find(e, BERLIN, 'TDG')).status).toBe(Find.FIND_NOTFOUND);
    e.caches.cloudletInfos.update(cloudletInfo('berlin'));
    expect((await find(e, BERLIN, 'TDG')).fqdn).toBe('face.c1.berlin.example');
  });

  it('follows the AppInst cache: not READY, deleted, re-created; the index size follows', async () => {
    const e = await world();
    expect(e.index.size).toBe(4);
    e.caches.appInsts.update(appInst('face', 'berlin', { state: TrackedState.DELETE_REQUESTED }));
    expect((await find(e, BERLIN, 'TDG')).fqdn).toBe('face.c1.potsdam.example');
    expect(e.index.size).toBe(3);
    e.caches.appInsts.delete(keyString.appInst(appInst('face', 'potsdam').key));
    expect((await find(e, BERLIN, 'TDG')).fqdn).toBe('face.c1.munich.example');
    e.caches.appInsts.update(appInst('face', 'berlin'));
    expect((await find(e, BERLIN, 'TDG')).fqdn).toBe('face.c1.berlin.example');
    expect(e.index.size).toBe(3);
  });

  it('measures to the Cloudlet location, falls back to the cached cloudlet_loc, and re-indexes when a Cloudlet moves', async () => {
    const e = await engineEnv();
    e.caches.apps.update(app('face'));
    e.caches.cloudletInfos.update(cloudletInfo('a'));
    e.caches.cloudletInfos.update(cloudletInfo('b'));
    e.caches.appInsts.update(appInst('face', 'a', { cloudlet_loc: PARIS as never }));
    e.caches.appInsts.update(appInst('face', 'b'));
    expect((await find(e, BERLIN)).fqdn).toBe('face.c1.a.example'); // b has no location at all
    expect(e.index.size).toBe(1);
    e.caches.cloudlets.update(cloudlet('b', POTSDAM));
    expect(e.index.size).toBe(2);
    expect((await find(e, BERLIN)).fqdn).toBe('face.c1.b.example');
    e.caches.cloudlets.update(cloudlet('a', BERLIN));
    expect((await find(e, BERLIN)).cloudlet_location).toMatchObject(BERLIN);
    e.caches.cloudlets.delete(keyString.cloudlet({ operator_key: { name: 'TDG' }, name: 'b' }));
    expect(e.index.size).toBe(1);
  });

  it('answers FIND_NOTFOUND for an app without instances and INVALID_ARGUMENT for bad coordinates', async () => {
    const e = await world();
    expect((await find(e, BERLIN, '', 'game')).status).toBe(Find.FIND_NOTFOUND);
    for (const [at, field] of [[{ latitude: 91, longitude: 0 }, 'gps_location.latitude'], [{ latitude: 0, longitude: 200 }, 'gps_location.longitude'], [undefined, 'gps_location']] as const) {
      const err = await refusal(find(e, at as never));
      expect(err.code).toBe(Code.INVALID_ARGUMENT);
      expect(err.field).toBe(field);
    }
  });
});

describe('VerifyLocation', () => {
  const verify = async (e: EngineEnv, at: { latitude: number; longitude: number }, carrier = '') =>
    e.engine.verifyLocation({ ver: 1, session_cookie: await e.cookieFor('face'), carrier_name: carrier, gps_location: at as never, verify_loc_token: '' });

  it('answers by the distance to the nearest cloudlet of the carrier, in the original buckets', async () => {
    const e = await world();
    expect(await verify(e, BERLIN)).toMatchObject({ gps_location_status: Gps.LOC_VERIFIED, gps_location_accuracy_km: 2 });
    expect(await verify(e, { latitude: 52.55, longitude: 13.405 })).toMatchObject({ gps_location_status: Gps.LOC_VERIFIED, gps_location_accuracy_km: 10 });
    expect(await verify(e, { latitude: 52.0, longitude: 13.4 })).toMatchObject({ gps_location_status: Gps.LOC_VERIFIED, gps_location_accuracy_km: 100 });
    expect(await verify(e, PARIS)).toMatchObject({ gps_location_status: Gps.LOC_MISMATCH_SAME_COUNTRY, gps_location_accuracy_km: -1 });
    // Hamburg's cloudlet is Orange's: for TDG the nearest is Potsdam, about 240 km away.
    expect(await verify(e, HAMBURG, 'TDG')).toMatchObject({ gps_location_status: Gps.LOC_MISMATCH_SAME_COUNTRY });
    expect(await verify(e, HAMBURG, 'Orange')).toMatchObject({ gps_location_status: Gps.LOC_VERIFIED, gps_location_accuracy_km: 2 });
    expect(await verify(e, HAMBURG, 'Vodafone')).toMatchObject({ gps_location_status: Gps.LOC_UNKNOWN, gps_location_accuracy_km: -1 });
  });
});

describe('GetAppInstList', () => {
  it('lists cloudlets with usable instances of the app, nearest first, with distances', async () => {
    const e = await world();
    e.caches.appInsts.update(appInst('face', 'berlin', { cluster: 'c2' }));
    e.caches.appInsts.update(appInst('game', 'berlin'));
    const reply = await e.engine.getAppInstList({ ver: 1, session_cookie: await e.cookieFor('face'), carrier_name: 'TDG', gps_location: BERLIN as never });
    expect(reply.status).toBe(AppInstListReply_AIStatus.AI_SUCCESS);
    expect(reply.cloudlets.map((c) => c.cloudlet_name)).toEqual(['berlin', 'potsdam', 'munich']);
    expect(reply.cloudlets[0]?.distance).toBeCloseTo(0, 5);
    expect(reply.cloudlets[1]?.distance).toBeGreaterThan(20);
    expect(reply.cloudlets[0]?.carrier_name).toBe('TDG');
    expect(reply.cloudlets[0]?.appinstances.map((a) => a.fqdn).sort()).toEqual(['face.c1.berlin.example', 'face.c2.berlin.example']);
    expect(reply.cloudlets[0]?.appinstances[0]).toMatchObject({ app_name: 'face', app_vers: '1.0' });
  });

  it('returns at most 20 cloudlets', async () => {
    const e = await engineEnv();
    e.caches.apps.update(app('face'));
    for (let i = 0; i < 30; i++) {
      e.caches.cloudlets.update(cloudlet(`c${i}`, { latitude: 50 + i * 0.1, longitude: 10 }));
      e.caches.cloudletInfos.update(cloudletInfo(`c${i}`));
      e.caches.appInsts.update(appInst('face', `c${i}`));
      e.caches.appInsts.update(appInst('face', `c${i}`, { cluster: 'c2' }));
    }
    const reply = await e.engine.getAppInstList({ ver: 1, session_cookie: await e.cookieFor('face'), carrier_name: '', gps_location: { latitude: 50, longitude: 10 } as never });
    expect(reply.cloudlets.map((c) => c.cloudlet_name)).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
    expect(reply.cloudlets.every((c) => c.appinstances.length === 2)).toBe(true);
  });
});

describe('GetFqdnList', () => {
  it('lists the uris of apps that permit platform apps, on usable cloudlets', async () => {
    const e = await world();
    e.caches.apps.update(app('face', { permits_platform_apps: true, android_package_name: 'com.acme.face' }));
    e.caches.apps.update(app('chat', { permits_platform_apps: true }));
    e.caches.appInsts.update(appInst('game', 'berlin'));
    e.caches.cloudletInfos.update(cloudletInfo('munich', CloudletState.CLOUDLET_STATE_OFFLINE));
    const reply = await e.engine.getFqdnList({ ver: 1, session_cookie: await e.cookieFor('game') });
    expect(reply.status).toBe(FqdnListReply_FLStatus.FL_SUCCESS);
    expect(reply.app_fqdns).toEqual([{
      dev_name: DEV, app_name: 'face', app_vers: '1.0', android_package_name: 'com.acme.face',
      fqdns: ['face.c1.berlin.example', 'face.c1.hamburg.example', 'face.c1.potsdam.example'],
    }]);
  });
});

describe('GetLocation and AddUserToGroup', () => {
  it('are UNIMPLEMENTED with an explanation (after the cookie check)', async () => {
    const e = await world();
    const cookie = await e.cookieFor('face');
    const loc = await refusal(e.engine.getLocation({ ver: 1, session_cookie: cookie, carrier_name: '' }));
    expect(loc.code).toBe(Code.UNIMPLEMENTED);
    expect(loc.message).toContain('location service');
    const group = await refusal(e.engine.addUserToGroup({ ver: 1, session_cookie: cookie, lg_id: 0n, comm_type: 0, user_data: '' }));
    expect(group.code).toBe(Code.UNIMPLEMENTED);
    expect(group.message).toContain('location groups');
    expect((await refusal(e.engine.getLocation({ ver: 1, session_cookie: '', carrier_name: '' }))).code).toBe(Code.UNAUTHENTICATED);
  });
});
