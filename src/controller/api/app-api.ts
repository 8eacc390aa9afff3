import { alreadyExists, notFound } from '../../core/errors.js';
import { App, AppApiService, type AppApiServer } from '../../gen/edgeproto/app.js';
import { keyString } from '../../wire/object-key.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { serverStream, unary } from '../grpc-adapter.js';
import { showFilter } from '../show-filter.js';
import { applyUpdateFields } from '../update-fields.js';
import { validateApp } from '../validation/app-validation.js';
import { inUse } from './in-use.js';
import { ok } from './result.js';

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
 * AppApi: Create (validates with `validateApp` and stores the defaulted deployment; ALREADY_EXISTS if present;
 * NOT_FOUND naming `key.developer_key.name` or `default_flavor` for a developer or flavor that does not exist),
 * Delete (NOT_FOUND if absent, FAILED_PRECONDITION while an AppInst of it exists), Update (copies the listed
 * `fields`, then validates the result and its references as Create does; the key never changes), Show (streams
 * the apps matching the request). Every write is one transaction.
 */
export function appApi(deps: ApiDeps): { service: typeof AppApiService; implementation: AppApiServer } {
  const { kinds, objects, log } = deps;
  const implementation: AppApiServer = {
    createApp: unary(log, 'CreateApp', async (request: App) => {
      const app = { ...validateApp(request), fields: [] };
      await objects.write((tx) => {
        if (tx.get(kinds.app, keyString.app(app.key))) throw alreadyExists(what(app), 'key');
        checkRefs(deps, app, tx);
        tx.put(kinds.app, app);
      });
      return ok();
    }),
    deleteApp: unary(log, 'DeleteApp', async (request: App) => {
      await objects.write((tx) => {
        const key = keyString.app(request.key);
        if (!tx.get(kinds.app, key)) throw notFound(what(request), 'key');
        const users = appUsers(deps, key, tx);
        if (users.length > 0) throw inUse(what(request), users);
        tx.delete(kinds.app, key);
      });
      return ok();
    }),
    updateApp: unary(log, 'UpdateApp', async (request: App) => {
      await objects.write((tx) => {
        const current = tx.get(kinds.app, keyString.app(request.key));
        if (!current) throw notFound(what(request), 'key');
        const merged = { ...applyUpdateFields('edgeproto.App', current, request, request.fields), key: current.key };
        const updated = { ...validateApp(merged), fields: [] };
        checkRefs(deps, updated, tx);
        tx.put(kinds.app, updated);
      });
      return ok();
    }),
    showApp: serverStream(log, 'ShowApp', async (request: App, send) => {
      const matches = showFilter(App, request);
      for (const app of objects.cache(kinds.app).values()) if (matches(app)) await send(app);
    }),
  };
  return { service: AppApiService, implementation };
}
