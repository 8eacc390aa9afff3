import { invalidArgument } from '../core/errors.js';

/** The original's rule for object names (operators, developers, flavors, apps, cloudlets...). */
export const OBJECT_NAME_PATTERN = /^[0-9a-zA-Z][-_0-9a-zA-Z .&,!]*$/;

/** The original's rule for cluster names: Kubernetes-compatible, so no spaces or underscores. */
export const CLUSTER_NAME_PATTERN = /^[0-9a-zA-Z][-0-9a-zA-Z.]*$/;

/** True when `name` obeys the original's object-name rule `^[0-9a-zA-Z][-_0-9a-zA-Z .&,!]*$`. Pure. */
export function isValidObjectName(name: string): boolean {
  return OBJECT_NAME_PATTERN.test(name);
}

/** True when `name` obeys the Kubernetes-style cluster-name rule `^[0-9a-zA-Z][-0-9a-zA-Z.]*$`. Pure. */
export function isValidClusterName(name: string): boolean {
  return CLUSTER_NAME_PATTERN.test(name);
}

/**
 * Checks an object name: non-empty and matching the original's rule. Throws a CodedError INVALID_ARGUMENT naming
 * `field` (e.g. `key.name`) and the reason. Returns nothing on success. Pure.
 */
export function validateObjectName(field: string, name: string): void {
  if (name === '') throw invalidArgument(field, 'must not be empty');
  if (!isValidObjectName(name)) {
    throw invalidArgument(field, `"${name}" must match ${OBJECT_NAME_PATTERN.source}`);
  }
}

/** Checks a cluster name against the Kubernetes-style rule; errors as {@link validateObjectName}. Pure. */
export function validateClusterName(field: string, name: string): void {
  if (name === '') throw invalidArgument(field, 'must not be empty');
  if (!isValidClusterName(name)) {
    throw invalidArgument(field, `"${name}" must match ${CLUSTER_NAME_PATTERN.source}`);
  }
}
