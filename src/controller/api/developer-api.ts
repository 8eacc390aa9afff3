import type { Developer} from '../../gen/edgeproto/developer.js';
import { DeveloperApiService, type DeveloperApiServer } from '../../gen/edgeproto/developer.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import { catalogHandlers } from './catalog-object-api.js';

/** Checks a Developer's content (its name; the other fields are free text); throws INVALID_ARGUMENT naming the field. Pure. */
export function validateDeveloper(developer: Developer): Developer {
  validateObjectName('key.name', developer.key?.name ?? '');
  return developer;
}

/**
 * DeveloperApi with the catalog semantics (`catalogHandlers`); Delete is refused while an App or a ClusterInst
 * (ClusterInstKey.developer) belongs to the developer.
 */
export function developerApi(deps: ApiDeps): { service: typeof DeveloperApiService; implementation: DeveloperApiServer } {
  const { kinds } = deps;
  const h = catalogHandlers<Developer>(deps, {
    kind: kinds.developer,
    name: 'Developer',
    describe: (d) => `developer ${d.key?.name ?? ''}`,
    validate: validateDeveloper,
    users: (d, tx) => {
      const name = d.key?.name;
      const users: string[] = [];
      for (const app of tx.list(kinds.app)) {
        if (app.key?.developer_key?.name === name) users.push(`app ${app.key?.name ?? ''} ${app.key?.version ?? ''}`.trimEnd());
      }
      for (const ci of tx.list(kinds.clusterInst)) {
        if (ci.key?.developer === name) users.push(`cluster instance ${ci.key?.cluster_key?.name ?? ''} on cloudlet ${ci.key?.cloudlet_key?.name ?? ''}`);
      }
      return users;
    },
  });
  return {
    service: DeveloperApiService,
    implementation: { createDeveloper: h.create, deleteDeveloper: h.delete, updateDeveloper: h.update, showDeveloper: h.show },
  };
}
