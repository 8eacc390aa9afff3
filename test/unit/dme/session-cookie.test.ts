import { base64url, decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { Code, type CodedError } from '../../../src/core/errors.js';
import { SessionCookies } from '../../../src/dme/session-cookie.js';
import { loadSessionKey } from '../../../src/dme/session-key.js';
import { testSessionKey } from './fixtures.js';

const APP = { developer: 'Acme', name: 'face', version: '1.0' };
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

async function refusal(promise: Promise<unknown>): Promise<CodedError> {
  try {
    await promise;
  } catch (err) {
    return err as CodedError;
  }
  throw new Error('expected a refusal');
}

async function cookies(now = (): number => T0): Promise<SessionCookies> {
  return new SessionCookies({ key: await testSessionKey(), ttlMs: 60_000, now });
}

describe('session cookies', () => {
  it('issues an RS256 JWT with the key id, expiry and app identity, and verifies it', async () => {
    const sc = await cookies();
    const cookie = await sc.issue(APP);
    const header = decodeProtectedHeader(cookie);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: sc.kid });
    const claims = decodeJwt(cookie);
    expect(claims).toMatchObject({ key: { devname: 'Acme', appname: 'face', appvers: '1.0' }, iat: T0 / 1000, exp: T0 / 1000 + 60 });
    await expect(sc.verify(cookie)).resolves.toEqual(APP);
  });

  it('refuses an expired cookie', async () => {
    let now = T0;
    const sc = await cookies(() => now);
    const cookie = await sc.issue(APP);
    now = T0 + 59_000;
    await expect(sc.verify(cookie)).resolves.toEqual(APP);
    now = T0 + 61_000;
    const err = await refusal(sc.verify(cookie));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.field).toBe('session_cookie');
    expect(err.message).toContain('expired');
  });

  it('refuses a forged signature', async () => {
    const sc = await cookies();
    const cookie = await sc.issue(APP);
    const [h, p, s] = cookie.split('.') as [string, string, string];
    const sig = base64url.decode(s);
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    const err = await refusal(sc.verify(`${h}.${p}.${base64url.encode(sig)}`));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.message).toContain('signature');
  });

  it('refuses a cookie of another key, also when it claims our key id', async () => {
    const sc = await cookies();
    const other = new SessionCookies({ key: await loadSessionKey(undefined), ttlMs: 60_000, now: () => T0 });
    const foreign = await other.issue(APP);
    const err = await refusal(sc.verify(foreign));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.message).toContain('not issued by this DME');

    const otherKey = await loadSessionKey(undefined);
    const impostor = await new SignJWT({ key: { devname: 'Acme', appname: 'face', appvers: '1.0' } })
      .setProtectedHeader({ alg: 'RS256', kid: sc.kid })
      .setIssuedAt(T0 / 1000)
      .setExpirationTime(T0 / 1000 + 60)
      .sign(otherKey.privateKey);
    const err2 = await refusal(sc.verify(impostor));
    expect(err2.code).toBe(Code.UNAUTHENTICATED);
    expect(err2.message).toContain('signature');
  });

  it('refuses a tampered payload (another app under the same signature)', async () => {
    const sc = await cookies();
    const cookie = await sc.issue(APP);
    const [h, , s] = cookie.split('.') as [string, string, string];
    const payload = base64url.encode(JSON.stringify({ key: { devname: 'Acme', appname: 'game', appvers: '1.0' }, iat: T0 / 1000, exp: T0 / 1000 + 60 }));
    const err = await refusal(sc.verify(`${h}.${payload}.${s}`));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
  });

  it('refuses alg none, HS256 keyed with the public key, a cookie without exp or without app', async () => {
    const sc = await cookies();
    const key = await testSessionKey();
    const claims = { key: { devname: 'Acme', appname: 'face', appvers: '1.0' } };
    const none = new UnsecuredJWT(claims).setIssuedAt(T0 / 1000).setExpirationTime(T0 / 1000 + 60).encode();
    expect((await refusal(sc.verify(none))).code).toBe(Code.UNAUTHENTICATED);

    const pem = key.publicKey.export({ type: 'spki', format: 'pem' });
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: sc.kid })
      .setExpirationTime(T0 / 1000 + 60).sign(new TextEncoder().encode(String(pem)));
    const hsErr = await refusal(sc.verify(hs));
    expect(hsErr.code).toBe(Code.UNAUTHENTICATED);
    expect(hsErr.message).toContain('RS256');

    const noExp = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: sc.kid }).sign(key.privateKey);
    const noExpErr = await refusal(sc.verify(noExp));
    expect(noExpErr.code).toBe(Code.UNAUTHENTICATED);
    expect(noExpErr.message).toContain('"exp"');

    const noApp = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: sc.kid }).setExpirationTime(T0 / 1000 + 60).sign(key.privateKey);
    expect((await refusal(sc.verify(noApp))).message).toContain('names no app');
  });

  it('refuses an empty or malformed cookie', async () => {
    const sc = await cookies();
    const empty = await refusal(sc.verify(''));
    expect(empty.code).toBe(Code.UNAUTHENTICATED);
    expect(empty.message).toContain('required');
    for (const junk of ['abc', 'a.b.c', 'not a jwt at all']) {
      expect((await refusal(sc.verify(junk))).code).toBe(Code.UNAUTHENTICATED);
    }
  });
});
