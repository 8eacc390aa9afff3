import { describe, expect, it } from 'vitest';
import { canReadEncoded, readEncoded } from '../../../src/cache/encoded-object.js';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import type { ObjectKind } from '../../../src/cache/object-kind.js';
import { Cloudlet } from '../../../src/gen/edgeproto/cloudlet.js';
import { Node } from '../../../src/gen/edgeproto/node.js';
import { isCodedError } from '../../../src/core/errors.js';
import { appInst, app, cloudlet, cloudletInfo, clusterInst, flavor } from '../../helpers/edgeproto-fixtures.js';
import { mutate, prng } from '../../helpers/fuzz.js';

const kinds = edgeprotoKinds();

function encode<T>(kind: ObjectKind<T>, value: T): Uint8Array {
  return kind.codec.encode(value).finish();
}

/** Samples of every kind a notify mirror takes, plus keys that need escaping or are not ASCII. */
function samples(): Array<[ObjectKind<never>, Uint8Array]> {
  const inst = appInst('face', 'c1', 'berlin');
  const odd = appInst('f<a>&"ce\\', 'clüster-\u2028', 'bérlin');
  const node = Node.fromPartial({ key: { name: 'crm-1', node_type: 2, cloudlet_key: { operator_key: { name: 'TDG' }, name: 'b' } } });
  const negativeNode = Node.fromPartial({ key: { name: 'crm-2', node_type: -3 as never } });
  const withMap = Cloudlet.fromPartial({ ...cloudlet('berlin'), open_rc_vars: { a: 'b', 'ü': 'é' } } as never);
  const list: Array<[ObjectKind<never>, Uint8Array]> = [
    [kinds.appInst as ObjectKind<never>, encode(kinds.appInst, inst)],
    [kinds.appInst as ObjectKind<never>, encode(kinds.appInst, odd)],
    [kinds.app as ObjectKind<never>, encode(kinds.app, app('face'))],
    [kinds.cloudlet as ObjectKind<never>, encode(kinds.cloudlet, withMap)],
    [kinds.clusterInst as ObjectKind<never>, encode(kinds.clusterInst, clusterInst('c1', 'berlin'))],
    [kinds.flavor as ObjectKind<never>, encode(kinds.flavor, flavor('x1.small'))],
    [kinds.cloudletInfo as ObjectKind<never>, encode(kinds.cloudletInfo, cloudletInfo('berlin'))],
    [kinds.node as ObjectKind<never>, encode(kinds.node, node)],
    [kinds.node as ObjectKind<never>, encode(kinds.node, negativeNode)],
  ];
  return list;
}

/** Decodes with the generated code; undefined when it throws. */
function decodeOrUndefined(kind: ObjectKind<never>, bytes: Uint8Array): unknown {
  try {
    return kind.codec.decode(bytes);
  } catch {
    return undefined;
  }
}

describe('readEncoded', () => {
  it('keys every kind a mirror takes as keyOf of the decoded object, escaping and non-ASCII keys included', () => {
    for (const [kind, bytes] of samples()) {
      expect(canReadEncoded(kind)).toBe(true);
      const object = readEncoded(kind, bytes);
      expect(object.key).toBe(kind.keyOf(kind.codec.decode(bytes)));
      expect(object.bytes).toBe(bytes);
    }
  });

  it('keys an object without a key, or with the key field twice (the decoder keeps the last), as the decoder does', () => {
    const kind = kinds.flavor as ObjectKind<never>;
    expect(readEncoded(kind, new Uint8Array(0)).key).toBe(kind.keyOf(kind.codec.decode(new Uint8Array(0))));
    const twice = Uint8Array.from([...encode(kinds.flavor, flavor('a')), ...encode(kinds.flavor, flavor('b'))]);
    expect(readEncoded(kind, twice).key).toBe(kinds.flavor.keyOf(kinds.flavor.codec.decode(twice)));
    expect(readEncoded(kind, twice).key).toContain('"b"');
  });

  it('refuses bytes the decoder cannot read, or would read differently, with INVALID_ARGUMENT', () => {
    const kind = kinds.flavor as ObjectKind<never>;
    const bad: Array<[string, number[]]> = [
      ['truncated length', [0x12, 0x05, 0x0a, 0x01]],
      ['length past the end', [0x12, 0x7f]],
      ['field number 0', [0x02, 0x00]],
      ['group', [0x0b, 0x0c]],
      ['end group', [0x0c]],
      ['wire type 6', [0x0e]],
      ['key with the wrong wire type', [0x10, 0x01]],
      ['string with a varint', [0x12, 0x02, 0x08, 0x01]],
      ['invalid UTF-8 in a string', [0x12, 0x03, 0x0a, 0x01, 0xff]],
      ['varint longer than 10 bytes', [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
      ['tag over 32 bits', [0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]],
      ['nested message running past its parent', [0x12, 0x02, 0x0a, 0x05, 0x61]],
      ['not protobuf', [0xff, 0xff, 0xff]],
    ];
    for (const [why, bytes] of bad) {
      let error: unknown;
      try {
        readEncoded(kind, Uint8Array.from(bytes));
      } catch (err) {
        error = err;
      }
      expect(isCodedError(error) && error.code === 'INVALID_ARGUMENT' ? 'refused' : `accepted (${why})`).toBe('refused');
    }
  });

  it('never accepts what the generated decoder rejects, and keys what it accepts as the decoder does (fuzz)', () => {
    const random = prng(20261127);
    let accepted = 0;
    let refused = 0;
    for (const [kind, bytes] of samples()) {
      for (let i = 0; i < 1500; i++) {
        const mutated = mutate(bytes, random);
        let key: string | undefined;
        try {
          key = readEncoded(kind, mutated).key;
        } catch (err) {
          expect(isCodedError(err)).toBe(true);
          refused++;
          continue;
        }
        accepted++;
        const decoded = decodeOrUndefined(kind, mutated);
        expect(decoded, `accepted bytes the decoder rejects: ${Buffer.from(mutated).toString('hex')}`).toBeDefined();
        expect(key).toBe(kind.keyOf(decoded as never));
      }
    }
    // Both outcomes are exercised.
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });
});
