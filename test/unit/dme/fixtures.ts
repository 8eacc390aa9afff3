import { generateKeyPair, exportSPKI, SignJWT, type CryptoKey } from 'jose';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import { AuthTokenVerifier } from '../../../src/dme/auth-token.js';
import { DmeCaches } from '../../../src/dme/dme-caches.js';
import { MatchEngine } from '../../../src/dme/match-engine.js';
import { MatchIndex } from '../../../src/dme/match-index.js';
import { SessionCookies } from '../../../src/dme/session-cookie.js';
import { loadSessionKey, type SessionKey } from '../../../src/dme/session-key.js';
import { LProto } from '../../../src/gen/dme/appcommon.js';
import { App } from '../../../src/gen/edgeproto/app.js';
import { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletInfo, CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';

export const DEV = 'Acme';

/** Places used by the tests (degrees). */
export const BERLIN = { latitude: 52.52, longitude: 13.405 };
export const POTSDAM = { latitude: 52.3906, longitude: 13.0645 };
export const HAMBURG = { latitude: 53.5511, longitude: 9.9937 };
export const MUNICH = { latitude: 48.1351, longitude: 11.582 };
export const PARIS = { latitude: 48.8566, longitude: 2.3522 };

export function cloudletKey(name: string, operator = 'TDG') {
  return { operator_key: { name: operator }, name };
}

export function cloudlet(name: string, location: { latitude: number; longitude: number } | undefined, operator = 'TDG'): Cloudlet {
  return Cloudlet.fromPartial({ key: cloudletKey(name, operator), ...(location ? { location } : {}) });
}

export function cloudletInfo(name: string, state = CloudletState.CLOUDLET_STATE_READY, operator = 'TDG'): CloudletInfo {
  return CloudletInfo.fromPartial({ key: cloudletKey(name, operator), state });
}

export function app(name: string, extra: Partial<App> = {}): App {
  return App.fromPartial({ key: { developer_key: { name: DEV }, name, version: '1.0' }, access_ports: 'tcp:8008', ...extra });
}

/** A READY AppInst of `appName` on cluster `cluster` of `cloudletName`, uri `<app>.<cluster>.<cloudlet>.example`. */
export function appInst(appName: string, cloudletName: string, extra: Partial<AppInst> & { operator?: string; cluster?: string } = {}): AppInst {
  const { operator = 'TDG', cluster = 'c1', ...rest } = extra;
  return AppInst.fromPartial({
    key: {
      app_key: { developer_key: { name: DEV }, name: appName, version: '1.0' },
      cluster_inst_key: { cluster_key: { name: cluster }, cloudlet_key: cloudletKey(cloudletName, operator), developer: DEV },
    },
    uri: `${appName}.${cluster}.${cloudletName}.example`,
    mapped_ports: [{ proto: LProto.L_PROTO_TCP, internal_port: 8008, public_port: 10008 }],
    state: TrackedState.READY,
    ...rest,
  });
}

/** Caches, index and engine wired as the Dme does, with a fresh in-memory session key. */
export interface EngineEnv {
  readonly caches: DmeCaches;
  readonly index: MatchIndex;
  readonly engine: MatchEngine;
  readonly cookies: SessionCookies;
  readonly key: SessionKey;
  /** Registers `app` (by name, Acme 1.0) and returns its cookie. */
  cookieFor(appName: string): Promise<string>;
}

let sharedKey: Promise<SessionKey> | undefined;

/** A session key shared by the tests of a file (RSA generation is slow). */
export function testSessionKey(): Promise<SessionKey> {
  sharedKey ??= loadSessionKey(undefined);
  return sharedKey;
}

export async function engineEnv(options: { carrier?: string; now?: () => number } = {}): Promise<EngineEnv> {
  const caches = new DmeCaches(edgeprotoKinds());
  const index = new MatchIndex(caches);
  index.attach();
  const key = await testSessionKey();
  const cookies = new SessionCookies({ key, ttlMs: 3_600_000, ...(options.now ? { now: options.now } : {}) });
  const engine = new MatchEngine({ caches, index, cookies, authTokens: new AuthTokenVerifier(), carrier: options.carrier ?? '' });
  return {
    caches, index, engine, cookies, key,
    cookieFor: async (appName) => (await engine.registerClient({ ver: 1, dev_name: DEV, app_name: appName, app_vers: '1.0', carrier_name: '' })).session_cookie,
  };
}

/** A developer's RSA key pair for auth tokens, with the public key as PEM (what App.auth_public_key holds). */
export async function developerKey(): Promise<{ privateKey: CryptoKey; publicPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return { privateKey, publicPem: await exportSPKI(publicKey) };
}

/** An auth token as the original's generator writes it: RS256, claims devname/appname/appvers, iat, exp. */
export function authToken(privateKey: CryptoKey, claims: { devname?: string; appname?: string; appvers?: string } = {}, expSec = Math.floor(Date.now() / 1000) + 3600): Promise<string> {
  return new SignJWT({ devname: DEV, appname: 'face', appvers: '1.0', ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expSec)
    .sign(privateKey);
}
