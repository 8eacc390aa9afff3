import { Code, CodedError, invalidArgument, notFound, permissionDenied } from '../core/errors.js';
import {
  AppFqdn, AppInstListReply, AppInstListReply_AIStatus, CloudletLocation, FindCloudletReply, FindCloudletReply_FindStatus,
  FqdnListReply, FqdnListReply_FLStatus, RegisterClientReply, ReplyStatus, VerifyLocationReply,
  VerifyLocationReply_TowerStatus,
  type AppInstListRequest, type DynamicLocGroupReply, type DynamicLocGroupRequest, type FindCloudletRequest,
  type FqdnListRequest, type GetLocationReply, type GetLocationRequest, type RegisterClientRequest,
  type VerifyLocationRequest,
} from '../gen/dme/app-client.js';
import type { App } from '../gen/edgeproto/app.js';
import { keyString } from '../wire/object-key.js';
import { appKeyString, describeApp, identityOf, type AppIdentity } from './app-identity.js';
import type { AuthTokenVerifier } from './auth-token.js';
import type { DmeCaches } from './dme-caches.js';
import { validatePoint } from './geo.js';
import { jwtRefused } from './jwt-errors.js';
import type { IndexedInst, MatchIndex } from './match-index.js';
import {
  APP_INST_LIST_MAX_CLOUDLETS, carrierMatches, resolveCarrier, verifyLocationVerdict,
} from './match-rules.js';
import type { SessionCookies } from './session-cookie.js';

/** What a {@link MatchEngine} works from. */
export interface MatchEngineDeps {
  readonly caches: DmeCaches;
  readonly index: MatchIndex;
  readonly cookies: SessionCookies;
  readonly authTokens: AuthTokenVerifier;
  /** The operator this DME serves (config.carrier); `''`: any. */
  readonly carrier: string;
  /** Told the outcome of every FindCloudlet that got an answer (metrics). */
  readonly onFind?: (status: FindCloudletReply_FindStatus) => void;
}

/** A verified session: the cookie's app, which still exists. */
interface Session {
  readonly app: AppIdentity;
  readonly appKey: string;
}

/**
 * The client API of `distributed_match_engine.MatchEngineApi`, transport-free: each method takes the decoded
 * request and resolves to the reply, or rejects with a CodedError (the gRPC service and the REST gateway map it).
 * RegisterClient checks the app and its auth token and issues a session cookie; every other method first verifies
 * the cookie (UNAUTHENTICATED otherwise), which fixes the app. Answers come from the mirrors as they are, also
 * while the controller is unreachable. The rules are in match-rules.ts and README.md.
 */
export class MatchEngine {
  constructor(private readonly deps: MatchEngineDeps) {}

  /**
   * INVALID_ARGUMENT for a missing dev_name, app_name or app_vers, or a missing auth_token when the App has an
   * auth_public_key; NOT_FOUND for an unknown app; UNAUTHENTICATED for a token that does not verify, or a token
   * for an App without auth_public_key. Success: RS_SUCCESS with a new session cookie.
   */
  async registerClient(request: RegisterClientRequest): Promise<RegisterClientReply> {
    for (const field of ['dev_name', 'app_name', 'app_vers'] as const) {
      if (request[field] === '') throw invalidArgument(field, 'is required');
    }
    const identity: AppIdentity = { developer: request.dev_name, name: request.app_name, version: request.app_vers };
    const app = this.deps.caches.apps.get(appKeyString(identity));
    if (!app) throw notFound(describeApp(identity), 'app_name');
    const token = request.auth_token ?? '';
    const publicKey = app.auth_public_key.trim();
    if (publicKey !== '') {
      if (token === '') throw invalidArgument('auth_token', `is required: ${describeApp(identity)} has an auth_public_key`);
      await this.deps.authTokens.verify(token, publicKey, identity);
    } else if (token !== '') {
      throw jwtRefused('auth_token', `${describeApp(identity)} has no auth_public_key to verify it against`);
    }
    const cookie = await this.deps.cookies.issue(identity);
    return RegisterClientReply.fromPartial({ status: ReplyStatus.RS_SUCCESS, session_cookie: cookie });
  }

  /**
   * The nearest usable instance of the cookie's app on a cloudlet of the carrier (see match-rules.ts): FIND_FOUND
   * with its fqdn (the AppInst uri), mapped ports and the cloudlet location; FIND_NOTFOUND when there is none.
   * INVALID_ARGUMENT for a missing or impossible gps_location; PERMISSION_DENIED when the request names another app.
   */
  async findCloudlet(request: FindCloudletRequest): Promise<FindCloudletReply> {
    const session = await this.session(request.session_cookie);
    this.checkRequestedApp(request, session.app);
    const point = validatePoint(request.gps_location, 'gps_location');
    const carrier = resolveCarrier(request.carrier_name, this.deps.carrier);
    const [nearest] = this.deps.index.nearestInsts(session.appKey, point, 1, (inst) => this.usable(inst, carrier));
    const reply = nearest
      ? FindCloudletReply.fromPartial({
        status: FindCloudletReply_FindStatus.FIND_FOUND,
        fqdn: nearest.value.fqdn,
        ports: [...nearest.value.ports],
        cloudlet_location: nearest.value.location,
      })
      : FindCloudletReply.fromPartial({ status: FindCloudletReply_FindStatus.FIND_NOTFOUND });
    this.deps.onFind?.(reply.status);
    return reply;
  }

  /**
   * Without an operator location service: the distance from gps_location to the nearest cloudlet (with a location)
   * of the carrier, in the original's buckets (match-rules.ts `verifyLocationVerdict`). tower_status is
   * TOWER_UNKNOWN; verify_loc_token is not used. INVALID_ARGUMENT for a missing or impossible gps_location.
   */
  async verifyLocation(request: VerifyLocationRequest): Promise<VerifyLocationReply> {
    await this.session(request.session_cookie);
    const point = validatePoint(request.gps_location, 'gps_location');
    const carrier = resolveCarrier(request.carrier_name, this.deps.carrier);
    const nearest = this.deps.index.nearestCloudlet(point, (c) => carrierMatches(carrier, c.operator));
    const verdict = verifyLocationVerdict(nearest?.distanceKm);
    return VerifyLocationReply.fromPartial({
      tower_status: VerifyLocationReply_TowerStatus.TOWER_UNKNOWN,
      gps_location_status: verdict.status,
      gps_location_accuracy_km: verdict.accuracyKm,
    });
  }

  /** UNIMPLEMENTED (after the cookie check): there is no operator location service to ask. */
  async getLocation(request: GetLocationRequest): Promise<GetLocationReply> {
    await this.session(request.session_cookie);
    throw new CodedError(Code.UNIMPLEMENTED,
      'GetLocation is not implemented: this DME has no operator location service to ask for the network location of a device');
  }

  /** UNIMPLEMENTED (after the cookie check): dynamic location groups are not supported. */
  async addUserToGroup(request: DynamicLocGroupRequest): Promise<DynamicLocGroupReply> {
    await this.session(request.session_cookie);
    throw new CodedError(Code.UNIMPLEMENTED,
      'AddUserToGroup is not implemented: this DME does not support dynamic location groups');
  }

  /**
   * The cloudlets with a usable instance of the cookie's app on the carrier, nearest first, at most
   * {@link APP_INST_LIST_MAX_CLOUDLETS}, each with its distance in km and the app's instances there. AI_SUCCESS,
   * also when the list is empty. INVALID_ARGUMENT for a missing or impossible gps_location.
   */
  async getAppInstList(request: AppInstListRequest): Promise<AppInstListReply> {
    const session = await this.session(request.session_cookie);
    const point = validatePoint(request.gps_location, 'gps_location');
    const carrier = resolveCarrier(request.carrier_name, this.deps.carrier);
    const filter = (inst: IndexedInst): boolean => this.usable(inst, carrier);
    const cloudlets = new Map<string, CloudletLocation>();
    // Instances on one cloudlet share its distance; ask for more until enough cloudlets or no more instances.
    for (let k = APP_INST_LIST_MAX_CLOUDLETS * 2; ; k *= 2) {
      const found = this.deps.index.nearestInsts(session.appKey, point, k, filter);
      cloudlets.clear();
      for (const { value, distanceKm } of found) {
        let entry = cloudlets.get(value.cloudletKey);
        if (!entry) {
          if (cloudlets.size === APP_INST_LIST_MAX_CLOUDLETS) break;
          entry = CloudletLocation.fromPartial({
            carrier_name: value.operator, cloudlet_name: value.cloudletName, gps_location: value.location, distance: distanceKm,
          });
          cloudlets.set(value.cloudletKey, entry);
        }
        entry.appinstances.push({ app_name: value.app.name, app_vers: value.app.version, fqdn: value.fqdn, ports: [...value.ports] });
      }
      if (found.length < k || cloudlets.size === APP_INST_LIST_MAX_CLOUDLETS) break;
    }
    return AppInstListReply.fromPartial({ status: AppInstListReply_AIStatus.AI_SUCCESS, cloudlets: [...cloudlets.values()] });
  }

  /**
   * For every App that permits platform apps (App.permits_platform_apps) and has usable instances (READY, on a
   * cloudlet that is online; any carrier): its fqdns (the AppInst uris, sorted, without duplicates) and Android
   * package name. Apps are sorted by developer, name, version. FL_SUCCESS, also when the list is empty.
   */
  async getFqdnList(request: FqdnListRequest): Promise<FqdnListReply> {
    await this.session(request.session_cookie);
    const apps = this.deps.caches.apps.values().filter((a: App) => a.permits_platform_apps);
    const out: AppFqdn[] = [];
    for (const app of apps) {
      const fqdns = new Set<string>();
      for (const inst of this.deps.index.instsOf(keyString.app(app.key))) {
        if (inst.fqdn !== '' && this.usable(inst, '')) fqdns.add(inst.fqdn);
      }
      if (fqdns.size === 0) continue;
      const id = identityOf(app.key);
      out.push(AppFqdn.fromPartial({
        dev_name: id.developer, app_name: id.name, app_vers: id.version, fqdns: [...fqdns].sort(), android_package_name: app.android_package_name,
      }));
    }
    out.sort((a, b) => compare(a.dev_name, b.dev_name) || compare(a.app_name, b.app_name) || compare(a.app_vers, b.app_vers));
    return FqdnListReply.fromPartial({ status: FqdnListReply_FLStatus.FL_SUCCESS, app_fqdns: out });
  }

  /** Verifies the cookie and that its app still exists (UNAUTHENTICATED otherwise). */
  private async session(cookie: string): Promise<Session> {
    const app = await this.deps.cookies.verify(cookie);
    const appKey = appKeyString(app);
    if (!this.deps.caches.apps.has(appKey)) throw jwtRefused('session_cookie', `${describeApp(app)} no longer exists`);
    return { app, appKey };
  }

  /** FindCloudlet may name an app only to repeat the cookie's (platform apps acting for others are not supported). */
  private checkRequestedApp(request: FindCloudletRequest, app: AppIdentity): void {
    if (request.dev_name === '' && request.app_name === '' && request.app_vers === '') return;
    const requested: AppIdentity = { developer: request.dev_name, name: request.app_name, version: request.app_vers };
    if (requested.developer !== app.developer || requested.name !== app.name || requested.version !== app.version) {
      throw permissionDenied(`the session cookie of ${describeApp(app)} does not allow requests for ${describeApp(requested)}`);
    }
  }

  /** An instance can be handed out: see {@link isInstUsable}. */
  private usable(inst: IndexedInst, carrier: string): boolean {
    return isInstUsable(inst, carrier);
  }
}

/**
 * The filter of every lookup: an instance can be handed out when its cloudlet is online (its live status,
 * match-rules.ts `isCloudletUsable`) and serves `carrier` (`''`: any). Pure, O(1): no map lookup.
 */
export function isInstUsable(inst: IndexedInst, carrier: string): boolean {
  return inst.cloudlet.usable && carrierMatches(carrier, inst.operator);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
