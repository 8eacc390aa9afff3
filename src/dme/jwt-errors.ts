import { Code, CodedError } from '../core/errors.js';

/**
 * Why a JWT (session cookie or auth token) was refused, in words, from a jose error's `code`. Anything that is not
 * a jose error gives `fallback`. Pure.
 */
export function jwtFailureReason(err: unknown, fallback: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'it has expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'its signature does not verify';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'it is not signed with RS256';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (err as { claim?: unknown }).claim;
      const reason = (err as { reason?: unknown }).reason;
      return typeof claim === 'string' ? `its "${claim}" claim is ${reason === 'missing' ? 'missing' : 'not valid'}` : 'a claim is not valid';
    }
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'it is not a well-formed signed JWT';
    default:
      return fallback;
  }
}

/** UNAUTHENTICATED `invalid <field>: <reason>` on `field` (`session_cookie`, `auth_token`), with the cause. */
export function jwtRefused(field: 'session_cookie' | 'auth_token', reason: string, cause?: unknown): CodedError {
  return new CodedError(Code.UNAUTHENTICATED, `invalid ${field}: ${reason}`, { field, cause });
}
