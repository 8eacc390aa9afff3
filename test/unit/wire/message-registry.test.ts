import { describe, expect, it } from 'vitest';
import { findMessageType, messageTypes } from '../../../src/wire/message-registry.js';
import { readReferenceTable } from '../../conformance/reference-data.js';

describe('message registry', () => {
  it('knows every message of the reference schema by its full name', () => {
    const names = new Set(readReferenceTable('edgeproto-fields.tsv').map((r) => `${r.package}.${r.message}`));
    const missing = [...names].filter((n) => !findMessageType(n));
    expect(missing).toEqual([]);
    expect(names.size).toBe(63);
  });

  it('names nested map entries with a dot and has nothing it should not', () => {
    expect(findMessageType('edgeproto.CloudletRefs.RootLbPortsEntry')).toBeDefined();
    expect(findMessageType('edgeproto.NoticeAction')).toBeUndefined();
    expect([...messageTypes.keys()].every((n) => /^(edgeproto|distributed_match_engine|google\.protobuf)\.[A-Z]/.test(n)))
      .toBe(true);
  });
});
