import { alreadyExists, notFound } from '../../core/errors.js';
import { Developer, DeveloperApiService, type DeveloperApiServer } from '../../gen/edgeproto/developer.js';
import { keyString } from '../../wire/object-key.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { serverStream, unary } from '../grpc-adapter.js';
import { showFilter } from '../show-filter.js';
import { applyUpdateFields } from '../update-fields.js';
import { inUse } from './in-use.js';
import { ok } from './result.js';

/** Checks a Developer's content (its name; the other fields are free text); throws INVALID_ARGUMENT naming the field. Pure. */
export function validateDeveloper(developer: Developer): void {
  validateObjectName('key.name', developer.key?.name ?? '');
}

function what(developer: Developer): string {
  return `developer ${developer.key?.name ?? ''}`;
}

/** The users of a developer: its Apps, and ClusterInsts created for it (ClusterInstKey.developer). */
function developerUsers(deps: ApiDeps, name: string, tx: WriteTx): string[] {
  const { kinds } = deps;
  const users: string[] = [];
  for (const app of tx.list(kinds.app)) {
    if (app.key?.developer_key?.name === name) users.push(`app ${app.key.name} ${app.key.version}`.trimEnd());
  }
  for (const ci of tx.list(kinds.clusterInst)) {
    if (ci.key?.developer === name) users.push(`cluster instance ${ci.key.cluster_key?.name ?? ''} on cloudlet ${ci.key.cloudlet_key?.name ?? ''}`);
  }
  return users;
}

/**
 * DeveloperApi: Create (ALREADY_EXISTS if present), Delete (NOT_FOUND if absent, FAILED_PRECONDITION while an App
 * or a ClusterInst belongs to it), Update (copies the listed `fields`, then validates the result; the key never
 * changes), Show (streams the developers matching the request). Every write is one transaction.
 */
export function developerApi(deps: ApiDeps): { service: typeof DeveloperApiService; implementation: DeveloperApiServer } {
  const { kinds, objects, log } = deps;
  const implementation: DeveloperApiServer = {
    createDeveloper: unary(log, 'CreateDeveloper', async (request: Developer) => {
      validateDeveloper(request);
      const developer = { ...request, fields: [] };
      await objects.write((tx) => {
        if (tx.get(kinds.developer, keyString.developer(developer.key))) throw alreadyExists(what(developer), 'key');
        tx.put(kinds.developer, developer);
      });
      return ok();
    }),
    deleteDeveloper: unary(log, 'DeleteDeveloper', async (request: Developer) => {
      await objects.write((tx) => {
        const key = keyString.developer(request.key);
        if (!tx.get(kinds.developer, key)) throw notFound(what(request), 'key');
        const users = developerUsers(deps, request.key?.name ?? '', tx);
        if (users.length > 0) throw inUse(what(request), users);
        tx.delete(kinds.developer, key);
      });
      return ok();
    }),
    updateDeveloper: unary(log, 'UpdateDeveloper', async (request: Developer) => {
      await objects.write((tx) => {
        const current = tx.get(kinds.developer, keyString.developer(request.key));
        if (!current) throw notFound(what(request), 'key');
        const updated = { ...applyUpdateFields('edgeproto.Developer', current, request, request.fields), key: current.key };
        validateDeveloper(updated);
        tx.put(kinds.developer, updated);
      });
      return ok();
    }),
    showDeveloper: serverStream(log, 'ShowDeveloper', async (request: Developer, send) => {
      const matches = showFilter(Developer, request);
      for (const developer of objects.cache(kinds.developer).values()) if (matches(developer)) await send(developer);
    }),
  };
  return { service: DeveloperApiService, implementation };
}
