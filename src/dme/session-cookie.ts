import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { AppIdentity } from './app-identity.js';
import { jwtFailureReason, jwtRefused } from './jwt-errors.js';
import type { SessionKey } from './session-key.js';

/** The claims of a session cookie: the app (as the original's cookie key names it), issued-at and expiry. */
interface CookieClaims extends JWTPayload {
  readonly key?: { readonly devname?: unknown; readonly appname?: unknown; readonly appvers?: unknown };
}

/** Options of {@link SessionCookies}. */
export interface SessionCookieOptions {
  readonly key: SessionKey;
  /** Lifetime of a cookie in ms (the `exp` claim is issue time plus this, rounded down to a second). */
  readonly ttlMs: number;
  /** Clock in ms since the epoch (tests). Default `Date.now`. */
  readonly now?: () => number;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Verified cookies remembered at most (about 1 KB each). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Issues and verifies session cookies: compact JWS (RS256, signed with the DME's session key) with header
 * `{alg: "RS256", typ: "JWT", kid: <key thumbprint>}` and payload `{key: {devname, appname, appvers}, iat, exp}`.
 * A cookie is valid when its kid is this DME's, its RS256 signature verifies, `exp` is present and in the future
 * and the app identity is complete. Verified cookies are remembered until they expire; safe to share.
 */
export class SessionCookies {
  private readonly now: () => number;
  /**
   * Cookies verified before, by their exact text, with their app and expiry: a client sends the same cookie on every
   * call, and an RSA verification costs more than the lookup it guards. Only a cookie that verified is kept, so a
   * hit is exactly as valid as a new verification until its `exp`. Bounded; the oldest entry goes first.
   */
  private readonly verified = new Map<string, { app: AppIdentity; expMs: number }>();

  constructor(private readonly options: SessionCookieOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The key id every cookie carries. */
  get kid(): string {
    return this.options.key.kid;
  }

  /** A new cookie for `app`, expiring `ttlMs` from now. */
  async issue(app: AppIdentity): Promise<string> {
    const nowSec = Math.floor(this.now() / 1000);
    const claims: CookieClaims = { key: { devname: app.developer, appname: app.name, appvers: app.version } };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.options.key.kid })
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + Math.max(1, Math.floor(this.options.ttlMs / 1000)))
      .sign(this.options.key.privateKey);
  }

  /**
   * The app of a valid cookie. Rejects with UNAUTHENTICATED on field `session_cookie`, saying why: missing,
   * malformed, signed by another key (kid), bad signature, not RS256, expired, no expiry, or no app in it.
   */
  async verify(cookie: string): Promise<AppIdentity> {
    if (cookie === '') throw jwtRefused('session_cookie', 'it is required (call RegisterClient first)');
    const hit = this.verified.get(cookie);
    if (hit && hit.expMs > this.now()) return hit.app;
    if (hit) this.verified.delete(cookie);
    const { kid, publicKey } = this.options.key;
    let payload: CookieClaims;
    try {
      const verified = await jwtVerify<CookieClaims>(cookie, (header) => {
        if (header.kid !== kid) throw Object.assign(new Error('kid mismatch'), { code: 'DME_KID_MISMATCH' });
        return publicKey;
      }, {
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
      });
      payload = verified.payload;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const reason = code === 'DME_KID_MISMATCH' ? 'it was not issued by this DME (unknown key id)' : jwtFailureReason(err, 'it cannot be verified');
      throw jwtRefused('session_cookie', `${reason}; register again`, err);
    }
    const key = payload.key;
    if (!key || !nonEmpty(key.devname) || !nonEmpty(key.appname) || !nonEmpty(key.appvers)) {
      throw jwtRefused('session_cookie', 'it names no app; register again');
    }
    const app = { developer: key.devname, name: key.appname, version: key.appvers };
    if (typeof payload.exp === 'number') {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value ?? '');
      this.verified.set(cookie, { app, expMs: payload.exp * 1000 });
    }
    return app;
  }
}
