import { notFound } from '../../core/errors.js';
import { type App, AppApiService, type AppApiServer } from '../../gen/edgeproto/app.js';
import { keyString } from '../../wire/object-key.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { catalogHandlers } from './catalog-object-api.js';
import { validateApp } from '../validation/app-validation.js';

function what(app: App): string {
  const version = app.key?.version ? ` ${app.key.version}` : '';
  return `app ${app.key?.name ?? ''}${version} of developer ${app.key?.developer_key?.name ?? ''}`;
}

/** Throws NOT_FOUND naming the reference when the app's developer or default flavor does not exist. */
function checkRefs(deps: ApiDeps, app: App, tx: WriteTx): void {
  const { kinds } = deps;
  if (!tx.get(kinds.developer, keyString.developer(app.key?.developer_key))) {
    throw notFound(`developer ${app.key?.developer_key?.name ?? ''}`, 'key.developer_key.name');
  }
  if (!tx.get(kinds.flavor, keyString.flavor(app.default_flavor))) {
    throw notFound(`flavor ${app.default_flavor?.name ?? ''}`, 'default_flavor');
  }
}

/** The users of an app: its AppInsts. */
function appUsers(deps: ApiDeps, key: string, tx: WriteTx): string[] {
  return tx.list(deps.kinds.appInst)
    .filter((ai) => keyString.app(ai.key?.app_key) === key)
    .map((ai) => {
      const ci = ai.key?.cluster_inst_key;
      return `app instance on cluster ${ci?.cluster_key?.name ?? ''} at cloudlet ${ci?.cloudlet_key?.name ?? ''}`;
    });
}

/**
 * AppApi with the catalog semantics (`catalogHandlers`): validated by `validateApp`, which also fills in the
 * default deployment that is stored; the developer and default flavor must exist (NOT_FOUND naming
 * `key.developer_key.name` or `default_flavor`, on Update too); Delete is refused while an AppInst of it exists.
 */
export function appApi(deps: ApiDeps): { service: typeof AppApiService; implementation: AppApiServer } {
  const h = catalogHandlers<App>(deps, {
    kind: deps.kinds.app,
    name: 'App',
    describe: what,
    validate: validateApp,
    checkRefs: (app, tx) => checkRefs(deps, app, tx),
    users: (app, tx) => appUsers(deps, keyString.app(app.key), tx),
  });
  return {
    service: AppApiService,
    implementation: { createApp: h.create, deleteApp: h.delete, updateApp: h.update, showApp: h.show },
  };
}
