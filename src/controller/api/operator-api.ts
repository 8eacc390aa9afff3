import { alreadyExists, notFound } from '../../core/errors.js';
import { Operator, OperatorApiService, type OperatorApiServer } from '../../gen/edgeproto/operator.js';
import { keyString } from '../../wire/object-key.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import { serverStream, unary } from '../grpc-adapter.js';
import { showFilter } from '../show-filter.js';
import { applyUpdateFields } from '../update-fields.js';
import { inUse } from './in-use.js';
import { ok } from './result.js';

/** Checks an Operator's content (its name); throws INVALID_ARGUMENT naming the field. Pure. */
export function validateOperator(operator: Operator): void {
  validateObjectName('key.name', operator.key?.name ?? '');
}

function what(operator: Operator): string {
  return `operator ${operator.key?.name ?? ''}`;
}

/** The users of an operator: its Cloudlets. */
function operatorUsers(deps: ApiDeps, name: string, tx: WriteTx): string[] {
  return tx.list(deps.kinds.cloudlet)
    .filter((cloudlet) => cloudlet.key?.operator_key?.name === name)
    .map((cloudlet) => `cloudlet ${cloudlet.key?.name ?? ''}`);
}

/**
 * OperatorApi: Create (ALREADY_EXISTS if present), Delete (NOT_FOUND if absent, FAILED_PRECONDITION while a
 * Cloudlet belongs to it), Update (copies the listed `fields`, then validates the result; the key never changes),
 * Show (streams the operators matching the request). Every write is one transaction.
 */
export function operatorApi(deps: ApiDeps): { service: typeof OperatorApiService; implementation: OperatorApiServer } {
  const { kinds, objects, log } = deps;
  const implementation: OperatorApiServer = {
    createOperator: unary(log, 'CreateOperator', async (request: Operator) => {
      validateOperator(request);
      const operator = { ...request, fields: [] };
      await objects.write((tx) => {
        if (tx.get(kinds.operator, keyString.operator(operator.key))) throw alreadyExists(what(operator), 'key');
        tx.put(kinds.operator, operator);
      });
      return ok();
    }),
    deleteOperator: unary(log, 'DeleteOperator', async (request: Operator) => {
      await objects.write((tx) => {
        const key = keyString.operator(request.key);
        if (!tx.get(kinds.operator, key)) throw notFound(what(request), 'key');
        const users = operatorUsers(deps, request.key?.name ?? '', tx);
        if (users.length > 0) throw inUse(what(request), users);
        tx.delete(kinds.operator, key);
      });
      return ok();
    }),
    updateOperator: unary(log, 'UpdateOperator', async (request: Operator) => {
      await objects.write((tx) => {
        const current = tx.get(kinds.operator, keyString.operator(request.key));
        if (!current) throw notFound(what(request), 'key');
        const updated = { ...applyUpdateFields('edgeproto.Operator', current, request, request.fields), key: current.key };
        validateOperator(updated);
        tx.put(kinds.operator, updated);
      });
      return ok();
    }),
    showOperator: serverStream(log, 'ShowOperator', async (request: Operator, send) => {
      const matches = showFilter(Operator, request);
      for (const operator of objects.cache(kinds.operator).values()) if (matches(operator)) await send(operator);
    }),
  };
  return { service: OperatorApiService, implementation };
}
