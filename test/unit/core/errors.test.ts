import { describe, expect, it } from 'vitest';
import {
  Code,
  CodedError,
  GRPC_STATUS,
  alreadyExists,
  asCodedError,
  fromGrpcStatus,
  hasCode,
  invalidArgument,
  isCode,
  isCodedError,
  notFound,
  resourceExhausted,
  toGrpcStatus,
  unavailable,
} from '../../../src/core/errors.js';

describe('Code and grpc status mapping', () => {
  it('uses the standard grpc numbers', () => {
    expect(toGrpcStatus(Code.OK)).toBe(0);
    expect(toGrpcStatus(Code.CANCELLED)).toBe(1);
    expect(toGrpcStatus(Code.INVALID_ARGUMENT)).toBe(3);
    expect(toGrpcStatus(Code.NOT_FOUND)).toBe(5);
    expect(toGrpcStatus(Code.FAILED_PRECONDITION)).toBe(9);
    expect(toGrpcStatus(Code.UNAVAILABLE)).toBe(14);
    expect(toGrpcStatus(Code.UNAUTHENTICATED)).toBe(16);
  });

  it('round-trips every code and covers 0..16 exactly once', () => {
    const codes = Object.values(Code);
    expect(codes).toHaveLength(17);
    expect(new Set(codes.map(toGrpcStatus))).toEqual(new Set(Array.from({ length: 17 }, (_, i) => i)));
    for (const code of codes) expect(fromGrpcStatus(toGrpcStatus(code))).toBe(code);
    expect(Object.keys(GRPC_STATUS).sort()).toEqual([...codes].sort());
  });

  it('maps unknown numbers to UNKNOWN', () => {
    expect(fromGrpcStatus(17)).toBe(Code.UNKNOWN);
    expect(fromGrpcStatus(-1)).toBe(Code.UNKNOWN);
    expect(fromGrpcStatus(1.5)).toBe(Code.UNKNOWN);
    expect(fromGrpcStatus(Number.NaN)).toBe(Code.UNKNOWN);
  });

  it('recognizes code names', () => {
    expect(isCode('NOT_FOUND')).toBe(true);
    expect(isCode('not_found')).toBe(false);
    expect(isCode('toString')).toBe(false);
    expect(isCode(5)).toBe(false);
  });
});

describe('CodedError', () => {
  it('carries code, field, cause and grpc status', () => {
    const cause = new Error('socket closed');
    const e = new CodedError(Code.UNAVAILABLE, 'etcd unreachable', { field: 'store.endpoints', cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CodedError');
    expect(e.code).toBe(Code.UNAVAILABLE);
    expect(e.field).toBe('store.endpoints');
    expect(e.cause).toBe(cause);
    expect(e.grpcStatus).toBe(14);
    expect(e.message).toBe('etcd unreachable');
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new CodedError(Code.INTERNAL, 'x')).toBe(false);
  });

  it('helpers name the field and the reason', () => {
    const e = invalidArgument('key.organization', 'must not be empty');
    expect(e.code).toBe(Code.INVALID_ARGUMENT);
    expect(e.field).toBe('key.organization');
    expect(e.message).toContain('key.organization');
    expect(e.message).toContain('must not be empty');

    expect(notFound('cloudlet edge1/acme', 'key').code).toBe(Code.NOT_FOUND);
    expect(notFound('cloudlet edge1/acme').message).toBe('cloudlet edge1/acme not found');
    expect(alreadyExists('app acme/web/1.0').code).toBe(Code.ALREADY_EXISTS);
    const r = resourceExhausted('vCPUs on cloudlet edge1', 'need 8, have 4', 'flavor.name');
    expect(r.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(r.field).toBe('flavor.name');
    const cause = new Error('boom');
    expect(unavailable('driver offline', cause).cause).toBe(cause);
  });

  it('isCodedError and hasCode', () => {
    const e = notFound('x');
    expect(isCodedError(e)).toBe(true);
    expect(isCodedError(new Error('x'))).toBe(false);
    expect(isCodedError({ code: 'NOT_FOUND' })).toBe(false);
    expect(hasCode(e, Code.NOT_FOUND)).toBe(true);
    expect(hasCode(e, Code.ALREADY_EXISTS)).toBe(false);
    expect(hasCode(undefined, Code.NOT_FOUND)).toBe(false);
  });
});

describe('asCodedError', () => {
  it('returns a CodedError unchanged', () => {
    const e = notFound('x');
    expect(asCodedError(e)).toBe(e);
  });

  it('maps AbortError to CANCELLED', () => {
    const c = new AbortController();
    c.abort();
    const e = asCodedError(c.signal.reason);
    expect(e.code).toBe(Code.CANCELLED);
    expect(e.cause).toBe(c.signal.reason);
  });

  it('maps TimeoutError to DEADLINE_EXCEEDED', () => {
    const e = asCodedError(new DOMException('timed out', 'TimeoutError'));
    expect(e.code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it('maps a grpc ServiceError-like object back to its code', () => {
    const remote = Object.assign(new Error('5 NOT_FOUND: no such app'), { code: 5, details: 'no such app' });
    const e = asCodedError(remote);
    expect(e.code).toBe(Code.NOT_FOUND);
    expect(e.message).toBe('no such app');
    expect(e.cause).toBe(remote);
  });

  it('does not mistake node system errors for grpc errors', () => {
    const sys = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(asCodedError(sys).code).toBe(Code.UNKNOWN);
  });

  it('wraps anything else as UNKNOWN (or the fallback) with the cause', () => {
    const plain = new Error('disk on fire');
    const e = asCodedError(plain);
    expect(e.code).toBe(Code.UNKNOWN);
    expect(e.message).toBe('disk on fire');
    expect(e.cause).toBe(plain);
    expect(asCodedError(plain, Code.INTERNAL).code).toBe(Code.INTERNAL);
    expect(asCodedError('text').message).toBe('text');
    expect(asCodedError(undefined).message).toBe('unknown error');
    expect(asCodedError(42).cause).toBe(42);
  });
});
