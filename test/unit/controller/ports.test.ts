import { describe, expect, it } from 'vitest';
import { appInstUri, dnsSanitize, mapPorts } from '../../../src/controller/resources/ports.js';
import { LProto } from '../../../src/gen/dme/appcommon.js';

const tcp = (port: number) => ({ proto: LProto.L_PROTO_TCP, port }) as const;
const udp = (port: number) => ({ proto: LProto.L_PROTO_UDP, port }) as const;
const http = (port: number) => ({ proto: LProto.L_PROTO_HTTP, port }) as const;

describe('mapped ports', () => {
  it('shared: lowest free port from 10000 per protocol bit, http on 443 by path; used is updated', () => {
    const used: Record<number, number> = { 10000: 1 };
    const ports = mapPorts([tcp(80), udp(80), tcp(81), http(8080)], 'face', true, used, 'cloudlet e');
    expect(ports.map((p) => [p.proto, p.internal_port, p.public_port, p.path_prefix])).toEqual([
      [LProto.L_PROTO_TCP, 80, 10001, ''], [LProto.L_PROTO_UDP, 80, 10000, ''], [LProto.L_PROTO_TCP, 81, 10002, ''],
      [LProto.L_PROTO_HTTP, 8080, 443, 'face'],
    ]);
    expect(used).toEqual({ 10000: 3, 10001: 1, 10002: 1 });
  });

  it('dedicated: public = internal', () => {
    expect(mapPorts([tcp(80), http(8080)], 'face', false, {}, 'e').map((p) => p.public_port)).toEqual([80, 8080]);
  });

  it('refuses with RESOURCE_EXHAUSTED when the root LB is full', () => {
    const used: Record<number, number> = {};
    for (let p = 10000; p <= 65535; p++) used[p] = 1;
    expect(() => mapPorts([tcp(80)], 'face', true, used, 'cloudlet e')).toThrow(expect.objectContaining({ code: 'RESOURCE_EXHAUSTED' }) as Error);
    expect(mapPorts([udp(80)], 'face', true, used, 'cloudlet e')[0]?.public_port).toBe(10000);
  });

  it('builds DNS-safe uris', () => {
    expect(dnsSanitize('Edge 1_Berlin&Co.')).toBe('edge1-berlinco');
    expect(appInstUri('Edge 1', 'TDG', 'c1', true)).toBe('edge1.tdg.cloudletd.net');
    expect(appInstUri('Edge 1', 'TDG', 'My.Cluster', false)).toBe('mycluster.edge1.tdg.cloudletd.net');
  });
});
