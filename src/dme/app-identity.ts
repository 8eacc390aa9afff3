import type { AppKey } from '../gen/edgeproto/app.js';
import { keyString } from '../wire/object-key.js';

/**
 * The app a client registered as (RegisterClient's dev_name, app_name, app_vers). A session cookie carries it, and
 * every call after RegisterClient works for this app only.
 */
export interface AppIdentity {
  readonly developer: string;
  readonly name: string;
  readonly version: string;
}

/** The edgeproto AppKey of an identity. Pure. */
export function appKeyOf(app: AppIdentity): AppKey {
  return { developer_key: { name: app.developer }, name: app.name, version: app.version };
}

/** The App cache key string of an identity (as `keyString.app`). Pure. */
export function appKeyString(app: AppIdentity): string {
  return keyString.app(appKeyOf(app));
}

/** The identity of an AppKey (missing parts as empty strings). Pure. */
export function identityOf(key: AppKey | undefined): AppIdentity {
  return { developer: key?.developer_key?.name ?? '', name: key?.name ?? '', version: key?.version ?? '' };
}

/** `app "face" version "1.0" of developer "Acme"`, for error messages. Pure. */
export function describeApp(app: AppIdentity): string {
  return `app ${JSON.stringify(app.name)} version ${JSON.stringify(app.version)} of developer ${JSON.stringify(app.developer)}`;
}
