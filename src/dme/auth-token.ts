import { createPublicKey, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import type { AppIdentity } from './app-identity.js';
import { jwtFailureReason, jwtRefused } from './jwt-errors.js';

/** The claims of an app's auth token, as the original's token generator writes them. */
interface AuthClaims extends JWTPayload {
  readonly devname?: unknown;
  readonly appname?: unknown;
  readonly appvers?: unknown;
}

/** Parsed public keys are kept per PEM text; past this many the cache starts over (apps are few). */
const MAX_CACHED_KEYS = 1024;

/** Options of {@link AuthTokenVerifier}. */
export interface AuthTokenOptions {
  /** Clock in ms since the epoch (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Verifies the `auth_token` a client presents at RegisterClient for an App that has an `auth_public_key`: an RS256
 * JWT signed by the developer with the private half of that key (PEM, SPKI `PUBLIC KEY` or PKCS#1
 * `RSA PUBLIC KEY`), with an `exp` claim in the future and claims `devname`, `appname`, `appvers` equal to the app
 * being registered (as the original). Any other algorithm (including `none`) is refused.
 */
export class AuthTokenVerifier {
  private readonly keys = new Map<string, KeyObject | Error>();
  private readonly now: () => number;

  constructor(options: AuthTokenOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves when `token` is valid for `app` under `publicKeyPem`. Rejects with UNAUTHENTICATED on field
   * `auth_token`, saying why (bad key, malformed, wrong algorithm, bad signature, expired, no expiry, other app).
   */
  async verify(token: string, publicKeyPem: string, app: AppIdentity): Promise<void> {
    const key = this.publicKey(publicKeyPem);
    if (key instanceof Error) throw jwtRefused('auth_token', `the app's auth_public_key is not an RSA public key in PEM form`, key);
    let claims: AuthClaims;
    try {
      claims = (await jwtVerify<AuthClaims>(token, key, {
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
      })).payload;
    } catch (err) {
      throw jwtRefused('auth_token', jwtFailureReason(err, 'it cannot be verified'), err);
    }
    const mismatch = [['devname', app.developer], ['appname', app.name], ['appvers', app.version]]
      .find(([claim, want]) => claims[claim as keyof AuthClaims] !== want);
    if (mismatch) throw jwtRefused('auth_token', `its "${mismatch[0]}" claim does not match the app being registered`);
  }

  private publicKey(pem: string): KeyObject | Error {
    let key = this.keys.get(pem);
    if (key) return key;
    try {
      key = createPublicKey({ key: pem, format: 'pem' });
      if (key.asymmetricKeyType !== 'rsa') key = new Error(`auth_public_key is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not RSA`);
    } catch (err) {
      key = err instanceof Error ? err : new Error(String(err));
    }
    if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
    this.keys.set(pem, key);
    return key;
  }
}
