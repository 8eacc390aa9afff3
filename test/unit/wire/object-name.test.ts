import { describe, expect, it } from 'vitest';
import { Code, isCodedError } from '../../../src/core/errors.js';
import {
  isValidClusterName,
  isValidObjectName,
  validateClusterName,
  validateObjectName,
} from '../../../src/wire/object-name.js';

describe('object names', () => {
  it.each(['TDG', 'berlin-edge-1', 'x1.medium', 'Acme Robotics, Inc.', 'A&B!', '0_under_score'])('accepts %j', (name) => {
    expect(isValidObjectName(name)).toBe(true);
  });

  it.each(['', '-lead', ' lead', '_lead', 'semi;colon', 'slash/name', 'tab\tname', 'new\nline', 'ünïcode', 'a$b'])(
    'refuses %j',
    (name) => {
      expect(isValidObjectName(name)).toBe(false);
    },
  );

  it('uses the Kubernetes rule for clusters: no spaces or underscores', () => {
    expect(isValidClusterName('gpu-cluster.1')).toBe(true);
    expect(isValidClusterName('gpu cluster')).toBe(false);
    expect(isValidClusterName('gpu_cluster')).toBe(false);
  });

  it('reports the field and the reason with INVALID_ARGUMENT', () => {
    for (const [fn, name] of [[validateObjectName, 'bad/name'], [validateClusterName, 'bad_name'], [validateObjectName, '']] as const) {
      try {
        fn('key.name', name);
        expect.unreachable();
      } catch (e) {
        expect(isCodedError(e) && e.code).toBe(Code.INVALID_ARGUMENT);
        expect(isCodedError(e) && e.field).toBe('key.name');
        expect((e as Error).message).toContain('key.name');
      }
    }
    expect(() => validateObjectName('key.name', 'good')).not.toThrow();
  });
});
