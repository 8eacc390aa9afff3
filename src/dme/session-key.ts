import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { Code, CodedError } from '../core/errors.js';

/** The RSA key pair that signs and verifies session cookies, with its key id. */
export interface SessionKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** RFC 7638 SHA-256 thumbprint of the public key (base64url), the `kid` header of every cookie. */
  readonly kid: string;
  /** Where the key came from: read from the file, generated and written there, or generated in memory. */
  readonly source: 'file' | 'generated-file' | 'memory';
}

const FIELD = 'session-key-file';

function fromPem(pem: string, file: string): { privateKey: KeyObject; publicKey: KeyObject } {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new CodedError(Code.INVALID_ARGUMENT, `session key file ${file} does not hold a PEM private key`, { field: FIELD, cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new CodedError(Code.INVALID_ARGUMENT, `session key file ${file} holds a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key; RS256 needs an RSA key`, { field: FIELD });
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) {
    throw new CodedError(Code.INVALID_ARGUMENT, `session key file ${file} holds a ${bits}-bit RSA key; at least 2048 bits are required`, { field: FIELD });
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

async function generatePem(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  return exportPKCS8(privateKey);
}

async function withKid(pair: { privateKey: KeyObject; publicKey: KeyObject }, source: SessionKey['source']): Promise<SessionKey> {
  const kid = await calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256');
  return { ...pair, kid, source };
}

/**
 * Loads the session key. `file` undefined: a new RSA 2048 key in memory (cookies die with the process). Otherwise
 * the PEM private key (PKCS#8 or PKCS#1) in `file`; when the file does not exist a new RSA 2048 key is generated and
 * written there as PKCS#8 with mode 0600 (its directory is created), so cookies survive a restart. Two processes
 * racing to create the file both end up with the one that was written first. Rejects with a CodedError on field
 * `session-key-file`: INVALID_ARGUMENT for a file that holds no RSA private key of at least 2048 bits, UNAVAILABLE
 * when the file cannot be read or written.
 */
export async function loadSessionKey(file: string | undefined): Promise<SessionKey> {
  if (file === undefined) return withKid(fromPem(await generatePem(), '(memory)'), 'memory');
  let pem: string;
  let source: SessionKey['source'] = 'file';
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CodedError(Code.UNAVAILABLE, `cannot read session key file ${file}: ${(err as Error).message}`, { field: FIELD, cause: err });
    }
    pem = await generatePem();
    source = 'generated-file';
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CodedError(Code.UNAVAILABLE, `cannot write session key file ${file}: ${(writeErr as Error).message}`, { field: FIELD, cause: writeErr });
      }
      pem = await readFile(file, 'utf8'); // another process created it first: use its key
      source = 'file';
    }
  }
  return withKid(fromPem(pem, file), source);
}
