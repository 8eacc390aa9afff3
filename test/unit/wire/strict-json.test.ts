import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/core/errors.js';
import type { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import { Cloudlet } from '../../../src/gen/edgeproto/cloudlet.js';
import type { ClusterInst } from '../../../src/gen/edgeproto/clusterinst.js';
import { CRMOverride } from '../../../src/gen/edgeproto/common.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { fieldPathsOf, jsonNameOf, messageFromJson } from '../../../src/wire/strict-json.js';

/** The INVALID_ARGUMENT `fn` throws, as `{field, message}`. */
function refusal(fn: () => unknown): { field: string | undefined; message: string } {
  try {
    fn();
  } catch (err) {
    if (isCodedError(err) && err.code === 'INVALID_ARGUMENT') return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('jsonNameOf', () => {
  it('gives protojson lowerCamelCase names', () => {
    expect(jsonNameOf('num_dynamic_ips')).toBe('numDynamicIps');
    expect(jsonNameOf('key')).toBe('key');
    expect(jsonNameOf('os_max_ram2')).toBe('osMaxRam2');
  });
});

describe('messageFromJson', () => {
  it('reads proto names and JSON names, nested', () => {
    const byProto = messageFromJson<Cloudlet>('edgeproto.Cloudlet', { key: { operator_key: { name: 'TDG' }, name: 'e1' }, num_dynamic_ips: 2 });
    const byJson = messageFromJson<Cloudlet>('edgeproto.Cloudlet', { key: { operatorKey: { name: 'TDG' }, name: 'e1' }, numDynamicIps: 2 });
    expect(byJson).toEqual(byProto);
    expect(byProto).toEqual(Cloudlet.fromPartial({ key: { operator_key: { name: 'TDG' }, name: 'e1' }, num_dynamic_ips: 2 }));
  });

  it('reads 64-bit integers from numbers and decimal strings, to the full uint64 range', () => {
    expect(messageFromJson<Flavor>('edgeproto.Flavor', { ram: 1024, vcpus: '2', disk: '18446744073709551615' })).toEqual(
      Flavor.fromPartial({ ram: 1024n, vcpus: 2n, disk: 18446744073709551615n }),
    );
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { ram: '18446744073709551616' }))).toEqual({
      field: 'ram', message: 'invalid ram: must be within 0..18446744073709551615, not 18446744073709551616',
    });
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { ram: -1 })).field).toBe('ram');
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { ram: 1.5 })).message).toBe('invalid ram: must be an integer (a number or a decimal string), not number 1.5');
  });

  it('checks 32-bit ranges', () => {
    expect(refusal(() => messageFromJson('edgeproto.Cloudlet', { num_dynamic_ips: 2 ** 31 })).message).toBe('invalid num_dynamic_ips: must be within -2147483648..2147483647, not 2147483648');
  });

  it('reads enums by name or number and refuses others, naming the values', () => {
    expect(messageFromJson<ClusterInst>('edgeproto.ClusterInst', { crm_override: 'IGNORE_CRM' }).crm_override).toBe(CRMOverride.IGNORE_CRM);
    expect(messageFromJson<ClusterInst>('edgeproto.ClusterInst', { crmOverride: 2 }).crm_override).toBe(CRMOverride.IGNORE_CRM);
    const bad = refusal(() => messageFromJson('edgeproto.ClusterInst', { crm_override: 'IGNORE_ALL' }));
    expect(bad.field).toBe('crm_override');
    expect(bad.message).toMatch(/^invalid crm_override: must be one of NO_OVERRIDE, .*IGNORE_CRM.* \(or its number\), not string "IGNORE_ALL"$/);
    expect(refusal(() => messageFromJson('edgeproto.ClusterInst', { crm_override: 42 })).field).toBe('crm_override');
  });

  it('refuses unknown fields at any depth, naming the dotted path', () => {
    expect(refusal(() => messageFromJson('edgeproto.AppInst', { key: { app_key: { developer_key: { nam: 'x' } } } }))).toEqual({
      field: 'key.app_key.developer_key.nam', message: 'invalid key.app_key.developer_key.nam: unknown field of edgeproto.DeveloperKey',
    });
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { colour: 'red' }, 'flavor')).field).toBe('flavor.colour');
  });

  it('refuses wrong types: strings, booleans, bytes, numbers, lists, maps, messages', () => {
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { key: { name: 7 } })).message).toBe('invalid key.name: must be a string, not number 7');
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { key: 'x1' })).message).toBe('invalid key: must be a JSON object (edgeproto.FlavorKey), not string "x1"');
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { fields: 'ram' })).message).toBe('invalid fields: must be a list, not string "ram"');
    expect(refusal(() => messageFromJson('edgeproto.Flavor', { fields: ['3', 4] })).field).toBe('fields[1]');
    expect(refusal(() => messageFromJson('edgeproto.Cloudlet', { location: { latitude: 'north' } })).message).toBe('invalid location.latitude: must be a number, not string "north"');
    expect(messageFromJson<Cloudlet>('edgeproto.Cloudlet', { location: { latitude: '52.5' } }).location?.latitude).toBe(52.5);
    expect(refusal(() => messageFromJson('edgeproto.AppInst', { key: [] })).message).toBe('invalid key: must be a JSON object (edgeproto.AppInstKey), not an array');
  });

  it('reads maps as objects and checks their keys and values', () => {
    expect(messageFromJson<{ root_lb_ports: Record<number, number> }>('edgeproto.CloudletRefs', { root_lb_ports: { '8080': 1 } }).root_lb_ports).toEqual({ 8080: 1 });
    expect(refusal(() => messageFromJson('edgeproto.CloudletRefs', { root_lb_ports: { http: 1 } })).field).toBe('root_lb_ports["http"]');
    expect(refusal(() => messageFromJson('edgeproto.CloudletRefs', { root_lb_ports: { '80': 'one' } })).field).toBe('root_lb_ports["80"]');
    expect(refusal(() => messageFromJson('edgeproto.CloudletRefs', { root_lb_ports: [1] })).message).toBe('invalid root_lb_ports: must be an object of key/value pairs, not an array');
  });

  it('refuses a field given twice under both names', () => {
    expect(refusal(() => messageFromJson('edgeproto.Cloudlet', { num_dynamic_ips: 1, numDynamicIps: 2 })).message).toBe('invalid numDynamicIps: given twice (also as num_dynamic_ips)');
  });

  it('reads null as the default, and names the whole value `body` when it is not an object', () => {
    expect(messageFromJson<Flavor>('edgeproto.Flavor', { ram: null, key: null })).toEqual(Flavor.fromPartial({}));
    expect(refusal(() => messageFromJson('edgeproto.Flavor', []))).toEqual({ field: 'body', message: 'invalid body: must be a JSON object (edgeproto.Flavor), not an array' });
    expect(refusal(() => messageFromJson('edgeproto.Flavor', null)).field).toBe('body');
    expect(refusal(() => messageFromJson('edgeproto.Nope', {})).message).toBe('invalid body: edgeproto.Nope is not a message of the schema');
  });

  it('reads Timestamps as {seconds, nanos} or RFC 3339 text', () => {
    const inst = messageFromJson<AppInst>('edgeproto.AppInst', { created_at: { seconds: '1700000000', nanos: 5 } });
    expect(inst.created_at).toEqual({ seconds: 1700000000n, nanos: 5 });
    expect(refusal(() => messageFromJson('edgeproto.Metric', { timestamp: 'yesterday' })).field).toBe('timestamp');
  });
});

describe('fieldPathsOf', () => {
  it('lists the field numbers of the given values, nested ones by their leaves, sorted numerically', () => {
    expect(fieldPathsOf('edgeproto.Flavor', { key: { name: 'x' }, ram: 1, disk: 2 })).toEqual(['2.1', '3', '5']);
    expect(fieldPathsOf('edgeproto.Cloudlet', { numDynamicIps: 3, location: { latitude: 1 }, key: {} })).toEqual(['2', '5.1', '8']);
  });

  it('names a list or a map by its own path and ignores keys that are not fields', () => {
    expect(fieldPathsOf('edgeproto.Flavor', { fields: ['3'], colour: 'red' })).toEqual(['1']);
    expect(fieldPathsOf('edgeproto.Flavor', [])).toEqual([]);
  });
});
