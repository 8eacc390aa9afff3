import type { Operator} from '../../gen/edgeproto/operator.js';
import { OperatorApiService, type OperatorApiServer } from '../../gen/edgeproto/operator.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import { catalogHandlers } from './catalog-object-api.js';

/** Checks an Operator's content (its name); throws INVALID_ARGUMENT naming the field. Pure. */
export function validateOperator(operator: Operator): Operator {
  validateObjectName('key.name', operator.key?.name ?? '');
  return operator;
}

/**
 * OperatorApi with the catalog semantics (`catalogHandlers`); Delete is refused while a Cloudlet belongs to the
 * operator.
 */
export function operatorApi(deps: ApiDeps): { service: typeof OperatorApiService; implementation: OperatorApiServer } {
  const h = catalogHandlers<Operator>(deps, {
    kind: deps.kinds.operator,
    name: 'Operator',
    describe: (o) => `operator ${o.key?.name ?? ''}`,
    validate: validateOperator,
    users: (o, tx) => tx.list(deps.kinds.cloudlet)
      .filter((cloudlet) => cloudlet.key?.operator_key?.name === o.key?.name)
      .map((cloudlet) => `cloudlet ${cloudlet.key?.name ?? ''}`),
  });
  return {
    service: OperatorApiService,
    implementation: { createOperator: h.create, deleteOperator: h.delete, updateOperator: h.update, showOperator: h.show },
  };
}

