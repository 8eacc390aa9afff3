/**
 * The DME's matching rules, as pure functions (documented in README.md): which carrier a request asks for, which
 * cloudlets can serve, what counts as a location, and VerifyLocation's distance buckets.
 */
import { CloudletState } from '../gen/edgeproto/cloudlet.js';
import { VerifyLocationReply_GPSLocationStatus as GpsStatus } from '../gen/dme/app-client.js';
import type { Loc } from '../gen/dme/loc.js';
import type { GeoPoint } from './geo.js';

/**
 * The carrier (cloudlet operator name) a request is matched against: the request's `carrier_name` when given,
 * else the DME's configured carrier, else `''`, which means any carrier. Pure.
 */
export function resolveCarrier(requestCarrier: string, configCarrier: string): string {
  return requestCarrier !== '' ? requestCarrier : configCarrier;
}

/** True when a cloudlet of operator `operator` serves `carrier` (`''`: any). Pure. */
export function carrierMatches(carrier: string, operator: string): boolean {
  return carrier === '' || carrier === operator;
}

/**
 * True when instances on a cloudlet whose CloudletInfo state is `state` may be handed to clients: READY, and
 * ERRORS (its CRM is connected; ERRORS reports failures of the platform's management API, while the instances
 * already running keep serving). OFFLINE (the CRM is gone), NOT_PRESENT, UNKNOWN and a cloudlet without any
 * CloudletInfo (`undefined`: no CRM ever reported) are skipped. Pure.
 */
export function isCloudletUsable(state: CloudletState | undefined): boolean {
  return state === CloudletState.CLOUDLET_STATE_READY || state === CloudletState.CLOUDLET_STATE_ERRORS;
}

/**
 * The point of a stored location, or undefined when there is none: no Loc, coordinates out of range or not finite,
 * or exactly (0, 0), which is what an unset location decodes to. Pure.
 */
export function locationPoint(loc: Loc | undefined): GeoPoint | undefined {
  if (!loc) return undefined;
  const { latitude, longitude } = loc;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) return undefined;
  if (latitude === 0 && longitude === 0) return undefined;
  return { latitude, longitude };
}

/** VerifyLocation's answer: the status and `gps_location_accuracy_km`. */
export interface LocationVerdict {
  readonly status: GpsStatus;
  readonly accuracyKm: number;
}

/**
 * The original's distance buckets (its `DefaultLocationRangeMap`), checked in order: the first bound the distance is
 * strictly below gives LOC_VERIFIED with that bound as the accuracy.
 */
export const VERIFY_LOCATION_BUCKETS_KM: readonly number[] = Object.freeze([2, 10, 100]);

/**
 * VerifyLocation without an operator location service, from the distance in km between the client's GPS location
 * and the nearest cloudlet of the carrier (undefined: the carrier has no cloudlet with a location):
 * d < 2 → LOC_VERIFIED, 2 km; d < 10 → LOC_VERIFIED, 10 km; d < 100 → LOC_VERIFIED, 100 km;
 * otherwise LOC_MISMATCH_SAME_COUNTRY, -1 (unverified); no cloudlet → LOC_UNKNOWN, -1. Pure.
 */
export function verifyLocationVerdict(distanceKm: number | undefined): LocationVerdict {
  if (distanceKm === undefined || !Number.isFinite(distanceKm)) return { status: GpsStatus.LOC_UNKNOWN, accuracyKm: -1 };
  for (const bound of VERIFY_LOCATION_BUCKETS_KM) {
    if (distanceKm < bound) return { status: GpsStatus.LOC_VERIFIED, accuracyKm: bound };
  }
  return { status: GpsStatus.LOC_MISMATCH_SAME_COUNTRY, accuracyKm: -1 };
}

/** GetAppInstList returns at most this many cloudlets, the nearest first. */
export const APP_INST_LIST_MAX_CLOUDLETS = 20;
