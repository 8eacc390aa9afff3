import { failedPrecondition, type CodedError } from '../../core/errors.js';

/** How many users an in-use error lists before it says "and N more". */
const LISTED = 5;

/**
 * FAILED_PRECONDITION for deleting `what` (e.g. `developer AcmeX`) while `users` (e.g. `app Face 1.0`) refer to
 * it: the message names the object and up to five of its users, the error's field is `key`. Pure.
 */
export function inUse(what: string, users: readonly string[]): CodedError {
  const more = users.length > LISTED ? ` and ${users.length - LISTED} more` : '';
  return failedPrecondition(`${what} in use by ${users.slice(0, LISTED).join(', ')}${more}`, 'key');
}
