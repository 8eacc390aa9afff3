import { describe, expect, it } from 'vitest';
import { Code, type CodedError } from '../../../../src/core/errors.js';
import { DEFAULT_FLAVORS, DEFAULT_LIMITS, parseFakeSettings, seededRandom } from '../../../../platforms/fake/index.js';

function rejection(raw: Record<string, unknown>): CodedError {
  try {
    parseFakeSettings(raw);
  } catch (e) {
    return e as CodedError;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('parseFakeSettings', () => {
  it('fills every default from empty settings', () => {
    const s = parseFakeSettings({});
    expect(s.flavors).toEqual(DEFAULT_FLAVORS);
    expect(s.flavors.map((f) => f.name)).toEqual(['m4.small', 'm4.medium', 'm4.large', 'm4.xlarge']);
    expect(s.limits).toEqual(DEFAULT_LIMITS);
    expect(s).toMatchObject({ latency: {}, fail: {}, hang: [], faultRate: 0, seed: undefined, persist: true });
  });

  it('reads every field, in the config file units', () => {
    const s = parseFakeSettings({
      type: 'fake',
      flavors: [{ name: 'tiny', vcpus: 1, ram: 512, disk: 5 }],
      limits: { ram: 1024, vcores: '4' },
      latency: { '*': 5, createClusterInst: '2000' },
      fail: { createAppInst: 'image not found', deleteAppInst: { message: 'try later', code: 'UNAVAILABLE' } },
      hang: ['init', 'exec', 'init'],
      faultRate: 0.25,
      seed: 42,
      persist: 'false',
    });
    expect(s.flavors).toEqual([{ name: 'tiny', vcpus: 1, ramMb: 512, diskGb: 5 }]);
    expect(s.limits).toEqual({ ramMb: 1024, vcores: 4, diskGb: DEFAULT_LIMITS.diskGb });
    expect(s.latency).toEqual({ '*': 5, createClusterInst: 2000 });
    expect(s.fail).toEqual({
      createAppInst: { message: 'image not found', code: Code.FAILED_PRECONDITION },
      deleteAppInst: { message: 'try later', code: Code.UNAVAILABLE },
    });
    expect(s.hang).toEqual(['init', 'exec']);
    expect(s).toMatchObject({ faultRate: 0.25, seed: 42, persist: false });
  });

  it('treats null as absent', () => {
    expect(parseFakeSettings({ flavors: null, fail: null, persist: null }).persist).toBe(true);
  });

  it.each([
    [{ flavors: [{ name: 'a', vcpus: 1, ram: 1, disk: 1 }, { name: 'b', vcpus: 0, ram: 1, disk: 1 }] }, 'platform.flavors[1].vcpus'],
    [{ flavors: [{ name: 'a', vcpus: 1.5, ram: 1, disk: 1 }] }, 'platform.flavors[0].vcpus'],
    [{ flavors: [{ name: 'a', vcpus: 1, ram: 'lots', disk: 1 }] }, 'platform.flavors[0].ram'],
    [{ flavors: [{ name: '', vcpus: 1, ram: 1, disk: 1 }] }, 'platform.flavors[0].name'],
    [{ flavors: [{ name: 'a', vcpus: 1, ram: 1, disk: 1 }, { name: 'a', vcpus: 1, ram: 1, disk: 1 }] }, 'platform.flavors[1].name'],
    [{ flavors: [{ name: 'a', vcpus: 1, ram: 1, disk: 1, gpu: 1 }] }, 'platform.flavors[0].gpu'],
    [{ flavors: [] }, 'platform.flavors'],
    [{ flavors: 'm4.small' }, 'platform.flavors'],
    [{ limits: { ram: -1 } }, 'platform.limits.ram'],
    [{ limits: { cpus: 4 } }, 'platform.limits.cpus'],
    [{ limits: 5 }, 'platform.limits'],
    [{ latency: { createApp: 5 } }, 'platform.latency.createApp'],
    [{ latency: { createAppInst: -5 } }, 'platform.latency.createAppInst'],
    [{ fail: { createAppInst: '' } }, 'platform.fail.createAppInst'],
    [{ fail: { createAppInst: { message: 'x', code: 'NOPE' } } }, 'platform.fail.createAppInst.code'],
    [{ fail: { createAppInst: { message: 'x', code: 'OK' } } }, 'platform.fail.createAppInst.code'],
    [{ fail: { createAppInst: { code: 'UNAVAILABLE' } } }, 'platform.fail.createAppInst.message'],
    [{ fail: { nope: 'x' } }, 'platform.fail.nope'],
    [{ hang: ['init', 'sleep'] }, 'platform.hang[1]'],
    [{ hang: 'init' }, 'platform.hang'],
    [{ faultRate: 1.5 }, 'platform.faultRate'],
    [{ faultRate: 'often' }, 'platform.faultRate'],
    [{ seed: -1 }, 'platform.seed'],
    [{ persist: 'yes' }, 'platform.persist'],
    [{ latencies: {} }, 'platform.latencies'],
  ])('rejects %j naming %s', (raw, field) => {
    const e = rejection(raw);
    expect(e.code).toBe(Code.INVALID_ARGUMENT);
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
  });
});

describe('seededRandom', () => {
  it('gives the same sequence for the same seed, in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(100);
    expect(seededRandom(8)()).not.toBe(xs[0]);
  });
});
