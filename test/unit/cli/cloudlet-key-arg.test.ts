import { describe, expect, it } from 'vitest';
import { formatCloudletKeyArg, parseCloudletKeyArg } from '../../../src/cli/cloudlet-key-arg.js';
import { isCodedError } from '../../../src/core/errors.js';

function failure(text: string): { message: string; field: string | undefined } {
  try {
    parseCloudletKeyArg(text);
  } catch (e) {
    if (!isCodedError(e)) throw e;
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).not.toContain('\n');
    return { message: e.message, field: e.field };
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parseCloudletKeyArg', () => {
  const berlin = { operator_key: { name: 'TDG' }, name: 'berlin-edge-1' };

  it('reads the short form OPERATOR/NAME', () => {
    expect(parseCloudletKeyArg('TDG/berlin-edge-1')).toEqual(berlin);
    expect(parseCloudletKeyArg('AT&T/Dallas 2, North!')).toEqual({ operator_key: { name: 'AT&T' }, name: 'Dallas 2, North!' });
  });

  it('reads the JSON form of the original', () => {
    expect(parseCloudletKeyArg('{"operator_key":{"name":"TDG"},"name":"berlin-edge-1"}')).toEqual(berlin);
    expect(parseCloudletKeyArg(' { "name": "berlin-edge-1", "operator_key": { "name": "TDG" } }')).toEqual(berlin);
  });

  it('round-trips through formatCloudletKeyArg', () => {
    expect(formatCloudletKeyArg(berlin)).toBe('TDG/berlin-edge-1');
    expect(parseCloudletKeyArg(formatCloudletKeyArg(berlin))).toEqual(berlin);
  });

  it('refuses a short form without exactly one slash', () => {
    expect(failure('berlin-edge-1').message).toMatch(/^"berlin-edge-1" is neither OPERATOR\/NAME nor a JSON cloudlet key/);
    expect(failure('a/b/c').message).toMatch(/is neither OPERATOR\/NAME/);
  });

  it('checks both names with the object-name rule, naming the key field', () => {
    expect(failure('/berlin')).toEqual({ message: 'invalid operator_key.name: must not be empty', field: 'operator_key.name' });
    expect(failure('TDG/')).toEqual({ message: 'invalid name: must not be empty', field: 'name' });
    expect(failure('TDG/-berlin').message).toMatch(/^invalid name: "-berlin" must match/);
    expect(failure('T#G/berlin').message).toMatch(/^invalid operator_key\.name: "T#G" must match/);
    expect(failure('{"operator_key":{"name":"TDG"}}').field).toBe('name');
    expect(failure('{"name":"berlin"}').field).toBe('operator_key.name');
  });

  it('refuses malformed JSON, wrong types and unknown fields', () => {
    expect(failure('{"operator_key":').message).toMatch(/^not valid JSON: /);
    expect(failure('{"operator_key":"TDG","name":"b"}').message).toMatch(/^operator_key must be an object/);
    expect(failure('{"operator_key":{"name":7},"name":"b"}').message).toBe('operator_key.name must be a string');
    expect(failure('{"operator_key":{"name":"TDG"},"name":"b","region":"eu"}').message).toMatch(/^unknown field "region" in the cloudlet key/);
    expect(failure('{"operator_key":{"name":"TDG","org":"x"},"name":"b"}').message).toMatch(/^unknown field "org" in operator_key/);
  });
});
