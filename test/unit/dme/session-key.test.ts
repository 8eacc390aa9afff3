import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { Code, type CodedError } from '../../../src/core/errors.js';
import { loadSessionKey } from '../../../src/dme/session-key.js';

describe('session key', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudletd-dme-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is generated in memory without a file; kid is the SHA-256 JWK thumbprint of the public key', async () => {
    const key = await loadSessionKey(undefined);
    expect(key.source).toBe('memory');
    expect(key.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(key.kid).toBe(await calculateJwkThumbprint(await exportJWK(key.publicKey), 'sha256'));
  });

  it('is generated and written (0600) when the file is missing, and read back the same next time', async () => {
    const file = join(tempDir(), 'sub', 'session.pem');
    const first = await loadSessionKey(file);
    expect(first.source).toBe('generated-file');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await loadSessionKey(file);
    expect(second.source).toBe('file');
    expect(second.kid).toBe(first.kid);
  });

  it('refuses a file that holds no RSA private key of 2048 bits or more', async () => {
    const dir = tempDir();
    const cases: Array<[string, string]> = [
      ['junk.pem', 'hello'],
      ['ec.pem', String(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }))],
      ['small.pem', String(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))],
    ];
    for (const [name, content] of cases) {
      writeFileSync(join(dir, name), content);
      const err = await loadSessionKey(join(dir, name)).then(() => undefined, (e: unknown) => e as CodedError);
      expect(err?.code, name).toBe(Code.INVALID_ARGUMENT);
      expect(err?.field, name).toBe('session-key-file');
    }
  });

  it('reads a PKCS#1 RSA key', async () => {
    const file = join(tempDir(), 'pkcs1.pem');
    writeFileSync(file, String(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' })));
    expect((await loadSessionKey(file)).source).toBe('file');
  });
});
