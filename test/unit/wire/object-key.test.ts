import { describe, expect, it } from 'vitest';
import { NodeType } from '../../../src/gen/edgeproto/node.js';
import { keyString } from '../../../src/wire/object-key.js';

const cloudletKey = { operator_key: { name: 'TDG' }, name: 'berlin-edge-1' };

describe('object key strings', () => {
  it('match the original GetKeyString (Go json.Marshal of the key)', () => {
    expect(keyString.cloudlet(cloudletKey)).toBe('{"operator_key":{"name":"TDG"},"name":"berlin-edge-1"}');
    expect(keyString.operator({ name: 'TDG' })).toBe('{"name":"TDG"}');
    expect(keyString.controller({ addr: '127.0.0.1:55001' })).toBe('{"addr":"127.0.0.1:55001"}');
    expect(keyString.appInst({
      app_key: { developer_key: { name: 'Acme' }, name: 'face', version: '1.0' },
      cluster_inst_key: { cluster_key: { name: 'c1' }, cloudlet_key: cloudletKey, developer: 'Acme' },
    })).toBe(
      '{"app_key":{"developer_key":{"name":"Acme"},"name":"face","version":"1.0"},' +
        '"cluster_inst_key":{"cluster_key":{"name":"c1"},"cloudlet_key":{"operator_key":{"name":"TDG"},' +
        '"name":"berlin-edge-1"},"developer":"Acme"}}',
    );
    expect(keyString.node({ name: 'crm-1', node_type: NodeType.NODE_CRM, cloudlet_key: cloudletKey }))
      .toBe(`{"name":"crm-1","node_type":${NodeType.NODE_CRM},"cloudlet_key":{"operator_key":{"name":"TDG"},"name":"berlin-edge-1"}}`);
  });

  it('omit empty strings but always write nested keys, as Go does for non-nullable structs', () => {
    expect(keyString.cloudlet(undefined)).toBe('{"operator_key":{}}');
    expect(keyString.cloudlet({ operator_key: undefined, name: 'x' } as never)).toBe('{"operator_key":{},"name":"x"}');
    expect(keyString.clusterInst({ cluster_key: { name: 'c' }, cloudlet_key: undefined, developer: '' }))
      .toBe('{"cluster_key":{"name":"c"},"cloudlet_key":{"operator_key":{}}}');
  });

  it('escape HTML characters and quotes as Go does', () => {
    expect(keyString.developer({ name: 'Tom & Jerry "TJ" <x>' })).toBe('{"name":"Tom \\u0026 Jerry \\"TJ\\" \\u003cx\\u003e"}');
  });

  it('do not depend on the order properties were written in', () => {
    const reordered = { name: 'berlin-edge-1', operator_key: { name: 'TDG' } };
    expect(keyString.cloudlet(reordered)).toBe(keyString.cloudlet(cloudletKey));
  });

  it('tell different keys apart, even when names could be confused', () => {
    const a = keyString.app({ developer_key: { name: 'a' }, name: 'b', version: '' });
    const b = keyString.app({ developer_key: { name: '' }, name: 'ab', version: '' });
    const c = keyString.app({ developer_key: { name: 'a' }, name: '', version: 'b' });
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('ignore properties that are not part of the key', () => {
    expect(keyString.flavor({ name: 'x', extra: 1 } as never)).toBe('{"name":"x"}');
  });
});
