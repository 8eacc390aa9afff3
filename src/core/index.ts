/** Public API of the core toolkit: coded errors, logger, AbortSignal helpers, backoff, outcomes, workqueue. */
export * from './errors.js';
export * from './http-status.js';
export * from './host-port.js';
export * from './http-body.js';
export * from './abort.js';
export * from './backoff.js';
export * from './logger.js';
export { prettyLine, prettyDestination } from './log-pretty.js';
export * from './outcome.js';
export * from './workqueue.js';
