import { withTimeout } from '../core/abort.js';
import type { ObjectCache } from '../cache/object-cache.js';
import { asCodedError, Code } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import type { ExecRequest } from '../gen/edgeproto/exec.js';
import type { Platform } from '../platform/platform.js';
import { keyString } from '../wire/object-key.js';
import type { CrmMetrics } from './metrics.js';

/** Deadline of one command: below the controller's 6 s wait, so the controller gets our answer, not a timeout. */
export const EXEC_TIMEOUT_MS = 5_000;

/**
 * Answers RunCommand (an ExecRequest over notify) for this CRM's own AppInsts. A request for another cloudlet is
 * ignored (the original answered it with an error that could mask the right CRM's answer). For ours: an AppInst
 * we do not have → `err` "app inst <key> not found"; a platform without exec → `err` saying so; otherwise the
 * command runs through the platform's exec capability with a deadline, `answer` = its output, and a non-zero exit
 * sets `err` "command exited with status N". Every accepted request gets exactly one reply via `reply`; never
 * throws.
 */
export async function handleExecRequest(deps: {
  readonly request: ExecRequest;
  readonly cloudletKey: string;
  readonly appInsts: ObjectCache<AppInst>;
  readonly platform: Platform;
  readonly metrics: CrmMetrics;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly reply: (response: ExecRequest) => void;
}): Promise<void> {
  const { request, platform, metrics } = deps;
  if (keyString.cloudlet(request.app_inst_key?.cluster_inst_key?.cloudlet_key) !== deps.cloudletKey) return;
  const key = keyString.appInst(request.app_inst_key);
  const appInst = deps.appInsts.get(key);
  const respond = (answer: string, err: string | undefined, result: 'success' | 'error' | 'not_found'): void => {
    metrics.execRequests.inc({ result });
    deps.reply({ ...request, answer, ...(err === undefined ? {} : { err }) });
  };
  if (!appInst) return respond('', `app inst ${key} not found`, 'not_found');
  const exec = platform.features().exec;
  if (!exec) return respond('', `platform ${platform.type} does not support RunCommand`, 'error');
  const log = deps.log.child({ appInst: key });
  try {
    const signal = withTimeout(deps.signal, EXEC_TIMEOUT_MS);
    const result = await exec.run({ key, appInst, command: request.command, containerId: request.container_id }, { signal, log, progress: () => undefined });
    respond(result.output, result.exitCode === 0 ? undefined : `command exited with status ${result.exitCode}`, result.exitCode === 0 ? 'success' : 'error');
  } catch (err) {
    const coded = asCodedError(err);
    log.warn({ err: coded }, 'exec failed');
    respond('', coded.message, coded.code === Code.NOT_FOUND ? 'not_found' : 'error');
  }
}
