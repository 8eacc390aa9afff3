import { invalidArgument } from '../core/errors.js';

/** A point on the earth in degrees (WGS84 latitude/longitude, as `distributed_match_engine.Loc`). */
export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

/** Mean earth radius in km (the sphere every distance here is measured on). */
export const EARTH_RADIUS_KM = 6371.0088;

const RAD = Math.PI / 180;

/** Great-circle distance in km between two points (haversine; exact to float precision at any distance). Pure. */
export function greatCircleKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.latitude - a.latitude) * RAD;
  const dLon = (b.longitude - a.longitude) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * RAD) * Math.cos(b.latitude * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Checks a client-given location: finite numbers, latitude in [-90, 90], longitude in [-180, 180]. Throws
 * INVALID_ARGUMENT naming `<field>.latitude` / `<field>.longitude`.
 */
export function validatePoint(point: GeoPoint | undefined, field: string): GeoPoint {
  if (!point) throw invalidArgument(field, 'is required');
  if (!Number.isFinite(point.latitude) || point.latitude < -90 || point.latitude > 90) {
    throw invalidArgument(`${field}.latitude`, `must be a number from -90 to 90, got ${String(point.latitude)}`);
  }
  if (!Number.isFinite(point.longitude) || point.longitude < -180 || point.longitude > 180) {
    throw invalidArgument(`${field}.longitude`, `must be a number from -180 to 180, got ${String(point.longitude)}`);
  }
  return point;
}
