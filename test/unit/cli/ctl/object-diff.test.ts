import { describe, expect, it } from 'vitest';
import { findKind } from '../../../../src/cli/ctl/kinds.js';
import { diffObject, fieldNamesOf, sameJson } from '../../../../src/cli/ctl/object-diff.js';
import { isCallOption, isOutputOnly } from '../../../../src/cli/ctl/system-fields.js';
import { messageFromJson } from '../../../../src/wire/strict-json.js';

function kind(name: string) {
  const found = findKind(name);
  if (!found) throw new Error(`no kind ${name}`);
  return found;
}

/** Diff of file object `file` against stored object `stored` (both JSON) of kind `name`. */
function diff(name: string, file: Record<string, unknown>, stored: Record<string, unknown>) {
  const k = kind(name);
  return diffObject(k, file, messageFromJson(k.message, file), messageFromJson(k.message, stored));
}

describe('diffObject', () => {
  it('compares values, not spellings: 64-bit numbers and their text, enum numbers and names, JSON names', () => {
    expect(diff('flavor', { key: { name: 'a' }, ram: 1024, vcpus: '2' }, { key: { name: 'a' }, ram: '1024', vcpus: 2, disk: 40 })).toEqual({ changed: [], changedNames: [], ignored: [] });
    expect(diff('cloudlet', { key: { name: 'b' }, ipSupport: 2, numDynamicIps: 8 }, { key: { name: 'b' }, ip_support: 'IP_SUPPORT_DYNAMIC', num_dynamic_ips: 8 }).changed).toEqual([]);
  });

  it('only the fields the file gives: others the stored object has are left alone', () => {
    expect(diff('flavor', { key: { name: 'a' }, ram: 2048 }, { key: { name: 'a' }, ram: 1024, vcpus: 2, disk: 40 })).toEqual({ changed: ['3'], changedNames: ['ram'], ignored: [] });
  });

  it('nested fields by their own path; a default given explicitly is a change', () => {
    expect(diff('cloudlet', { key: { name: 'b' }, location: { latitude: 52.5, longitude: 13.4 }, num_dynamic_ips: 0 }, {
      key: { name: 'b' }, location: { latitude: 52.52, longitude: 13.4 }, num_dynamic_ips: 8,
    })).toEqual({ changed: ['5.1', '8'], changedNames: ['location.latitude', 'num_dynamic_ips'], ignored: [] });
  });

  it('never compares the key, fields or call options; output-only fields that differ are ignored and named', () => {
    const stored = { key: { cluster_key: { name: 'c' } }, state: 'READY', num_nodes: 1, node_flavor: 'm4.large', crm_override: 'NO_OVERRIDE' };
    expect(diff('clusterinst', { ...stored, fields: ['14'], crm_override: 'IGNORE_CRM', state: 'CREATING', node_flavor: 'other' }, stored))
      .toEqual({ changed: [], changedNames: [], ignored: ['state', 'node_flavor'] });
    expect(diff('clusterinst', { ...stored, num_nodes: 3 }, stored).changed).toEqual(['14']);
  });

  it('lists compare whole', () => {
    const stored = { key: { app_key: { name: 'a' } }, errors: ['x'] };
    expect(diff('appinst', { ...stored, errors: ['x', 'y'] }, stored).ignored).toEqual(['errors']);
    expect(diff('appinst', { ...stored, mapped_ports: [] }, stored).ignored).toEqual([]);
  });
});

describe('helpers', () => {
  it('fieldNamesOf resolves field-number paths', () => {
    expect(fieldNamesOf('edgeproto.Cloudlet', '5.1')).toEqual(['location', 'latitude']);
    expect(fieldNamesOf('edgeproto.AppInst', '2.1.1.2')).toEqual(['key', 'app_key', 'developer_key', 'name']);
  });

  it('sameJson: empty equals absent', () => {
    expect(sameJson(undefined, {})).toBe(true);
    expect(sameJson([], undefined)).toBe(true);
    expect(sameJson({ a: {} }, {})).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: [] })).toBe(true);
    expect(sameJson(['a'], ['a', 'b'])).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
  });

  it('output-only fields and call options come from the protocol documentation', () => {
    expect(isOutputOnly('edgeproto.AppInst', 'uri')).toBe(true);
    expect(isOutputOnly('edgeproto.AppInst', 'flavor')).toBe(false);
    expect(isOutputOnly('edgeproto.Cluster', 'auto')).toBe(true);
    expect(isOutputOnly('edgeproto.Flavor', 'ram')).toBe(false);
    expect(isCallOption('edgeproto.ClusterInst', 'crm_override')).toBe(true);
    expect(isCallOption('edgeproto.App', 'del_opt')).toBe(false);
  });
});
