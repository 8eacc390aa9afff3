import { createPublicKey } from 'node:crypto';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Code, type CodedError } from '../../../src/core/errors.js';
import { AuthTokenVerifier } from '../../../src/dme/auth-token.js';
import { authToken, developerKey } from './fixtures.js';

const APP = { developer: 'Acme', name: 'face', version: '1.0' };

async function refusal(promise: Promise<unknown>): Promise<CodedError> {
  try {
    await promise;
  } catch (err) {
    return err as CodedError;
  }
  throw new Error('expected a refusal');
}

describe('auth tokens (RS256 with the App auth_public_key)', () => {
  let dev: Awaited<ReturnType<typeof developerKey>>;
  let other: Awaited<ReturnType<typeof developerKey>>;
  const verifier = new AuthTokenVerifier();

  beforeAll(async () => {
    dev = await developerKey();
    other = await developerKey();
  });

  it('accepts a token signed with the app key for this app', async () => {
    await expect(verifier.verify(await authToken(dev.privateKey), dev.publicPem, APP)).resolves.toBeUndefined();
  });

  it('accepts the key as PKCS#1 (RSA PUBLIC KEY) too', async () => {
    const pkcs1 = String(createPublicKey(dev.publicPem).export({ type: 'pkcs1', format: 'pem' }));
    expect(pkcs1).toContain('BEGIN RSA PUBLIC KEY');
    await expect(verifier.verify(await authToken(dev.privateKey), pkcs1, APP)).resolves.toBeUndefined();
  });

  it('refuses a token signed with another key', async () => {
    const err = await refusal(verifier.verify(await authToken(other.privateKey), dev.publicPem, APP));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.field).toBe('auth_token');
    expect(err.message).toContain('signature');
  });

  it('refuses an expired token and one without exp', async () => {
    const expired = await authToken(dev.privateKey, {}, Math.floor(Date.now() / 1000) - 60);
    const err = await refusal(verifier.verify(expired, dev.publicPem, APP));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.message).toContain('expired');
    const noExp = await new SignJWT({ devname: 'Acme', appname: 'face', appvers: '1.0' }).setProtectedHeader({ alg: 'RS256' }).sign(dev.privateKey);
    expect((await refusal(verifier.verify(noExp, dev.publicPem, APP))).message).toContain('"exp"');
  });

  it('refuses alg none and other algorithms', async () => {
    const none = new UnsecuredJWT({ devname: 'Acme', appname: 'face', appvers: '1.0' }).setExpirationTime('1h').encode();
    const err = await refusal(verifier.verify(none, dev.publicPem, APP));
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    const hs = await new SignJWT({ devname: 'Acme', appname: 'face', appvers: '1.0' }).setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h').sign(new TextEncoder().encode(dev.publicPem));
    expect((await refusal(verifier.verify(hs, dev.publicPem, APP))).message).toContain('RS256');
    const ps = await generateKeyPair('PS256');
    const psToken = await new SignJWT({ devname: 'Acme', appname: 'face', appvers: '1.0' }).setProtectedHeader({ alg: 'PS256' })
      .setExpirationTime('1h').sign(ps.privateKey);
    expect((await refusal(verifier.verify(psToken, dev.publicPem, APP))).code).toBe(Code.UNAUTHENTICATED);
  });

  it('refuses a token for another app, version or developer', async () => {
    for (const claims of [{ appname: 'game' }, { appvers: '2.0' }, { devname: 'Evil' }]) {
      const err = await refusal(verifier.verify(await authToken(dev.privateKey, claims), dev.publicPem, APP));
      expect(err.code).toBe(Code.UNAUTHENTICATED);
      expect(err.message).toContain('does not match');
    }
  });

  it('refuses everything when the app key is not an RSA public key', async () => {
    const token = await authToken(dev.privateKey);
    for (const pem of ['not a key', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n']) {
      const err = await refusal(verifier.verify(token, pem, APP));
      expect(err.code).toBe(Code.UNAUTHENTICATED);
      expect(err.message).toContain('auth_public_key');
    }
  });

  it('refuses garbage', async () => {
    for (const junk of ['', 'abc', 'a.b.c']) {
      expect((await refusal(verifier.verify(junk, dev.publicPem, APP))).code).toBe(Code.UNAUTHENTICATED);
    }
  });
});
