import { asCodedError, Code, CodedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  AppInstListReply, AppInstListRequest, DynamicLocGroupReply, DynamicLocGroupRequest, FindCloudletReply, FindCloudletRequest,
  FqdnListReply, FqdnListRequest, GetLocationReply, GetLocationRequest, RegisterClientReply, RegisterClientRequest,
  VerifyLocationReply, VerifyLocationRequest, type MatchEngineApiService,
} from '../gen/dme/app-client.js';
import type { MessageCodec } from '../wire/message-codec.js';
import type { MatchEngine } from './match-engine.js';
import type { DmeMethodName, DmeMetrics } from './metrics.js';

/** One method of MatchEngineApi: its names on both transports, its message types and its handler. */
export interface DmeMethod<Req = unknown, Res = unknown> {
  readonly name: DmeMethodName;
  /** Its key in the generated `MatchEngineApiService` / `MatchEngineApiServer`. */
  readonly grpcKey: keyof typeof MatchEngineApiService;
  /** Its REST path (POST), as the original's gateway. */
  readonly restPath: string;
  readonly request: MessageCodec<Req>;
  readonly reply: MessageCodec<Res>;
  readonly handle: (engine: MatchEngine, request: Req) => Promise<Res>;
}

function method<Req, Res>(m: DmeMethod<Req, Res>): DmeMethod {
  return m as unknown as DmeMethod;
}

/** Every method, in the order of the service definition. */
export const DME_METHODS: readonly DmeMethod[] = Object.freeze([
  method({ name: 'RegisterClient', grpcKey: 'registerClient', restPath: '/v1/registerclient', request: RegisterClientRequest, reply: RegisterClientReply, handle: (e, r) => e.registerClient(r) }),
  method({ name: 'FindCloudlet', grpcKey: 'findCloudlet', restPath: '/v1/findcloudlet', request: FindCloudletRequest, reply: FindCloudletReply, handle: (e, r) => e.findCloudlet(r) }),
  method({ name: 'VerifyLocation', grpcKey: 'verifyLocation', restPath: '/v1/verifylocation', request: VerifyLocationRequest, reply: VerifyLocationReply, handle: (e, r) => e.verifyLocation(r) }),
  method({ name: 'GetLocation', grpcKey: 'getLocation', restPath: '/v1/getlocation', request: GetLocationRequest, reply: GetLocationReply, handle: (e, r) => e.getLocation(r) }),
  method({ name: 'AddUserToGroup', grpcKey: 'addUserToGroup', restPath: '/v1/addusertogroup', request: DynamicLocGroupRequest, reply: DynamicLocGroupReply, handle: (e, r) => e.addUserToGroup(r) }),
  method({ name: 'GetAppInstList', grpcKey: 'getAppInstList', restPath: '/v1/getappinstlist', request: AppInstListRequest, reply: AppInstListReply, handle: (e, r) => e.getAppInstList(r) }),
  method({ name: 'GetFqdnList', grpcKey: 'getFqdnList', restPath: '/v1/getfqdnlist', request: FqdnListRequest, reply: FqdnListReply, handle: (e, r) => e.getFqdnList(r) }),
]);

/**
 * Runs API calls for both transports, so they answer alike and are counted once: times the handler, counts the
 * result (`OK` or the status name), and turns every failure into a CodedError. A failure that is not a client's
 * fault (INTERNAL, UNKNOWN) is logged with its cause and answered as INTERNAL with a generic message.
 */
export class ApiCaller {
  constructor(
    private readonly engine: MatchEngine,
    private readonly metrics: DmeMetrics,
    private readonly log: Logger,
  ) {}

  /** The reply of `m` to `request`; rejects with a CodedError. */
  async call(m: DmeMethod, request: unknown): Promise<unknown> {
    const started = performance.now();
    try {
      const reply = await m.handle(this.engine, request);
      this.done(m, started, Code.OK);
      return reply;
    } catch (err) {
      let coded = asCodedError(err, Code.INTERNAL);
      if (coded.code === Code.INTERNAL || coded.code === Code.UNKNOWN) {
        this.log.error({ err, method: m.name }, 'dme api call failed');
        coded = new CodedError(Code.INTERNAL, 'internal error; see the DME log', { cause: err });
      } else {
        this.log.debug({ method: m.name, code: coded.code, reason: coded.message }, 'dme api call refused');
      }
      this.done(m, started, coded.code);
      throw coded;
    }
  }

  private done(m: DmeMethod, started: number, result: Code): void {
    this.metrics.latency.observe({ method: m.name }, (performance.now() - started) / 1000);
    this.metrics.requests.inc({ method: m.name, result });
  }
}
