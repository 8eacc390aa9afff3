import type * as grpc from '@grpc/grpc-js';
import type { ObjectKind } from '../../cache/object-kind.js';
import { alreadyExists, notFound } from '../../core/errors.js';
import type { Result } from '../../gen/edgeproto/result.js';
import type { ApiDeps } from '../api-deps.js';
import { unary } from '../grpc-adapter.js';
import { showStored } from './show-stored.js';
import type { WriteTx } from '../object-store.js';
import { applyUpdateFields } from '../update-fields.js';
import { inUse } from './in-use.js';
import { ok } from './result.js';

/** What differs between the catalog objects (Operator, Developer, Flavor, Cluster, App). */
export interface CatalogObjectSpec<T extends { key?: unknown; fields: string[] }> {
  readonly kind: ObjectKind<T>;
  /** Method name stem, e.g. `Flavor` for CreateFlavor/DeleteFlavor/UpdateFlavor/ShowFlavor. */
  readonly name: string;
  /** How errors name one object, e.g. `flavor x1.medium`. */
  describe(object: T): string;
  /** Content checks of a stored object; returns the object to store (e.g. with defaults filled in). Pure. */
  validate(object: T): T;
  /** Extra checks for a Create only (e.g. reserved names). */
  validateCreate?(object: T): void;
  /** Update-only rules between the stored and the updated object (e.g. fields that may not change). */
  validateUpdate?(current: T, updated: T): void;
  /** References to other objects, checked inside the write (NOT_FOUND naming the field). */
  checkRefs?(object: T, tx: WriteTx): void;
  /** Who uses the object; a Delete is refused (FAILED_PRECONDITION) while this is not empty. */
  users(object: T, tx: WriteTx): string[];
}

/** The four handlers of a catalog object's service. */
export interface CatalogHandlers<T> {
  readonly create: grpc.handleUnaryCall<T, Result>;
  readonly delete: grpc.handleUnaryCall<T, Result>;
  readonly update: grpc.handleUnaryCall<T, Result>;
  readonly show: grpc.handleServerStreamingCall<T, T>;
}

/**
 * The original's semantics for a catalog object, as grpc-js handlers:
 * - Create: validate, ALREADY_EXISTS if the key is stored, check references, store (without `fields`);
 * - Delete: NOT_FOUND if absent, FAILED_PRECONDITION naming the users while it is in use;
 * - Update: NOT_FOUND if absent; copy only the `fields` paths onto the stored object (the key never changes),
 *   then validate and check references as Create does;
 * - Show: stream every stored object matching the request as a filter.
 * Each write is one transaction under the controller's write lock, so checks and writes are atomic.
 */
export function catalogHandlers<T extends { key?: unknown; fields: string[] }>(
  deps: ApiDeps,
  spec: CatalogObjectSpec<T>,
): CatalogHandlers<T> {
  const { objects, log } = deps;
  const { kind } = spec;
  return {
    create: unary(log, `Create${spec.name}`, async (request: T) => {
      spec.validateCreate?.(request);
      const object = { ...spec.validate(request), fields: [] };
      await objects.write((tx) => {
        if (tx.get(kind, kind.keyOf(object))) throw alreadyExists(spec.describe(object), 'key');
        spec.checkRefs?.(object, tx);
        tx.put(kind, object);
      });
      return ok();
    }),
    delete: unary(log, `Delete${spec.name}`, async (request: T) => {
      await objects.write((tx) => {
        const key = kind.keyOf(request);
        const current = tx.get(kind, key);
        if (!current) throw notFound(spec.describe(request), 'key');
        const users = spec.users(current, tx);
        if (users.length > 0) throw inUse(spec.describe(request), users);
        tx.delete(kind, key);
      });
      return ok();
    }),
    update: unary(log, `Update${spec.name}`, async (request: T) => {
      await objects.write((tx) => {
        const current = tx.get(kind, kind.keyOf(request));
        if (!current) throw notFound(spec.describe(request), 'key');
        const merged = { ...applyUpdateFields(kind.name, current, request, request.fields), key: current.key };
        spec.validateUpdate?.(current, merged);
        const updated = { ...spec.validate(merged), fields: [] };
        spec.checkRefs?.(updated, tx);
        tx.put(kind, updated);
      });
      return ok();
    }),
    show: showStored(deps, `Show${spec.name}`, kind),
  };
}
