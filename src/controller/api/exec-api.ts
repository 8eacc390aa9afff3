import { invalidArgument, notFound, unavailable, unimplemented } from '../../core/errors.js';
import { ExecApiService, type ExecApiServer, type ExecRequest } from '../../gen/edgeproto/exec.js';
import { keyString } from '../../wire/object-key.js';
import type { ApiDeps } from '../api-deps.js';
import { DEFAULT_EXEC_TIMEOUT_MS } from '../config.js';
import { ExecRelay } from '../exec-relay.js';
import { unary } from '../grpc-adapter.js';

function appInstName(request: ExecRequest): string {
  const key = request.app_inst_key;
  const app = key?.app_key;
  const ci = key?.cluster_inst_key;
  return `app instance ${app?.name ?? ''} ${app?.version ?? ''} of ${app?.developer_key?.name ?? ''} on cluster ${ci?.cluster_key?.name ?? ''}`;
}

function cloudletName(request: ExecRequest): string {
  const cloudlet = request.app_inst_key?.cluster_inst_key?.cloudlet_key;
  return `${cloudlet?.name ?? ''} of operator ${cloudlet?.operator_key?.name ?? ''}`;
}

/**
 * ExecApi (the original's exec_api.go):
 * - RunCommand: `command` must be non-empty (INVALID_ARGUMENT) and `app_inst_key` must name a stored AppInst
 *   (NOT_FOUND). An empty `offer` gets a unique one. The request goes over notify to the CRMs that host the
 *   AppInst's cloudlet (UNAVAILABLE "no CRM connected for cloudlet ..." when there is none), and the call returns
 *   the first ExecRequest reply with the same offer as it came, including a reply whose `err` is set (as the
 *   original). No reply within `config.execTimeoutMs` (default 6 s): DEADLINE_EXCEEDED. A cancelled call, or the
 *   controller closing, ends the wait with CANCELLED.
 * - SendLocalRequest: UNIMPLEMENTED (the original uses it between a controller and its own local CRM process).
 */
export function execApi(deps: ApiDeps): { service: typeof ExecApiService; implementation: ExecApiServer } {
  const { kinds, objects, notify, execRelay, config, log } = deps;
  const timeoutMs = config.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const implementation: ExecApiServer = {
    runCommand: unary(log, 'RunCommand', async (request: ExecRequest, context) => {
      if (request.command.trim() === '') throw invalidArgument('command', 'must not be empty');
      if (!objects.cache(kinds.appInst).has(keyString.appInst(request.app_inst_key))) {
        throw notFound(appInstName(request), 'app_inst_key');
      }
      const outgoing: ExecRequest = { ...request, offer: request.offer || ExecRelay.newOffer() };
      context.log.debug({ offer: outgoing.offer, cloudlet: cloudletName(request) }, 'exec request sent');
      return execRelay.request(outgoing, (r) => notify.sendMessage(kinds.execRequest, r), {
        timeoutMs,
        signal: AbortSignal.any([context.signal, deps.closing]),
        onNoPeer: () => unavailable(`no CRM connected for cloudlet ${cloudletName(request)}`),
      });
    }),
    sendLocalRequest: unary(log, 'SendLocalRequest', (): Promise<ExecRequest> => Promise.reject(unimplemented('ExecApi.SendLocalRequest'))),
  };
  return { service: ExecApiService, implementation };
}
