import { describe, expect, it } from 'vitest';
import { VerifyLocationReply_GPSLocationStatus as Gps } from '../../../src/gen/dme/app-client.js';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import {
  carrierMatches, isCloudletUsable, locationPoint, resolveCarrier, verifyLocationVerdict,
} from '../../../src/dme/match-rules.js';

describe('match rules', () => {
  it('the request carrier wins, else the configured carrier, else any', () => {
    expect(resolveCarrier('Orange', 'TDG')).toBe('Orange');
    expect(resolveCarrier('', 'TDG')).toBe('TDG');
    expect(resolveCarrier('', '')).toBe('');
    expect(carrierMatches('', 'TDG')).toBe(true);
    expect(carrierMatches('TDG', 'TDG')).toBe(true);
    expect(carrierMatches('TDG', 'Orange')).toBe(false);
  });

  it('READY and ERRORS cloudlets are usable; OFFLINE, NOT_PRESENT, UNKNOWN and no CloudletInfo are not', () => {
    expect(isCloudletUsable(CloudletState.CLOUDLET_STATE_READY)).toBe(true);
    expect(isCloudletUsable(CloudletState.CLOUDLET_STATE_ERRORS)).toBe(true);
    expect(isCloudletUsable(CloudletState.CLOUDLET_STATE_OFFLINE)).toBe(false);
    expect(isCloudletUsable(CloudletState.CLOUDLET_STATE_NOT_PRESENT)).toBe(false);
    expect(isCloudletUsable(CloudletState.CLOUDLET_STATE_UNKNOWN)).toBe(false);
    expect(isCloudletUsable(undefined)).toBe(false);
  });

  it('a location is a Loc with coordinates in range other than exactly (0, 0)', () => {
    const loc = (latitude: number, longitude: number) => ({ latitude, longitude, horizontal_accuracy: 0, vertical_accuracy: 0, altitude: 0, course: 0, speed: 0 });
    expect(locationPoint(loc(52.5, 13.4))).toEqual({ latitude: 52.5, longitude: 13.4 });
    expect(locationPoint(loc(0, 13.4))).toEqual({ latitude: 0, longitude: 13.4 });
    expect(locationPoint(undefined)).toBeUndefined();
    expect(locationPoint(loc(0, 0))).toBeUndefined();
    expect(locationPoint(loc(91, 0))).toBeUndefined();
    expect(locationPoint(loc(10, -181))).toBeUndefined();
    expect(locationPoint(loc(Number.NaN, 1))).toBeUndefined();
  });

  it('VerifyLocation buckets: < 2 km, < 10 km, < 100 km verified with that accuracy; beyond a mismatch; none unknown', () => {
    expect(verifyLocationVerdict(0)).toEqual({ status: Gps.LOC_VERIFIED, accuracyKm: 2 });
    expect(verifyLocationVerdict(1.999)).toEqual({ status: Gps.LOC_VERIFIED, accuracyKm: 2 });
    expect(verifyLocationVerdict(2)).toEqual({ status: Gps.LOC_VERIFIED, accuracyKm: 10 });
    expect(verifyLocationVerdict(9.99)).toEqual({ status: Gps.LOC_VERIFIED, accuracyKm: 10 });
    expect(verifyLocationVerdict(10)).toEqual({ status: Gps.LOC_VERIFIED, accuracyKm: 100 });
    expect(verifyLocationVerdict(99.9)).toEqual({ status: Gps.LOC_VERIFIED, accuracyKm: 100 });
    expect(verifyLocationVerdict(100)).toEqual({ status: Gps.LOC_MISMATCH_SAME_COUNTRY, accuracyKm: -1 });
    expect(verifyLocationVerdict(5000)).toEqual({ status: Gps.LOC_MISMATCH_SAME_COUNTRY, accuracyKm: -1 });
    expect(verifyLocationVerdict(undefined)).toEqual({ status: Gps.LOC_UNKNOWN, accuracyKm: -1 });
  });
});
