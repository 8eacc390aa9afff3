import { describe, expect, it } from 'vitest';
import { Code, type CodedError } from '../../../../src/core/errors.js';
import { DEFAULT_REGISTRY_USER, DEFAULT_RESTART_MAX_RETRIES, DEFAULT_SOCKET_PATH, parseDockerSettings, registryOf } from '../../../../platforms/docker/index.js';

function rejection(raw: Record<string, unknown>): CodedError {
  try {
    parseDockerSettings(raw);
  } catch (e) {
    return e as CodedError;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('parseDockerSettings', () => {
  it('fills every default from empty settings', () => {
    expect(parseDockerSettings({})).toEqual({
      socketPath: DEFAULT_SOCKET_PATH,
      hostIp: '0.0.0.0',
      network: 'auto',
      pull: 'missing',
      restartMaxRetries: DEFAULT_RESTART_MAX_RETRIES,
      flavors: undefined,
      limits: { ramMb: undefined, vcores: undefined, diskGb: undefined },
      registryAuth: undefined,
      labelPrefix: 'cloudletd',
    });
  });

  it('reads every field, in the config file units', () => {
    const s = parseDockerSettings({
      type: 'docker',
      socketPath: 'unix:///run/user/1000/docker.sock',
      hostIp: '127.0.0.1',
      network: 'host',
      pull: 'never',
      restartMaxRetries: '0',
      flavors: [{ name: 'tiny', vcpus: 1, ram: '512', disk: 5 }],
      limits: { ram: 1024, vcores: '4', disk: null },
      docker_registry: 'Registry.Example.com:5000',
      docker_reg_pass: 's3cret',
      labelPrefix: 'edge.crm-2',
    });
    expect(s).toEqual({
      socketPath: '/run/user/1000/docker.sock',
      hostIp: '127.0.0.1',
      network: 'host',
      pull: 'never',
      restartMaxRetries: 0,
      flavors: [{ name: 'tiny', vcpus: 1, ramMb: 512, diskGb: 5 }],
      limits: { ramMb: 1024, vcores: 4, diskGb: undefined },
      registryAuth: { registry: 'registry.example.com:5000', username: DEFAULT_REGISTRY_USER, password: 's3cret' },
      labelPrefix: 'edge.crm-2',
    });
    expect(parseDockerSettings({ hostIp: '::1', docker_registry: 'r.io', docker_reg_user: 'bot' }).registryAuth).toEqual({ registry: 'r.io', username: 'bot', password: '' });
  });

  it('treats null as absent', () => {
    expect(parseDockerSettings({ socketPath: null, network: null, flavors: null }).socketPath).toBe(DEFAULT_SOCKET_PATH);
  });

  it.each([
    [{ socketPath: 'tcp://10.0.0.1:2375' }, 'platform.socketPath'],
    [{ socketPath: 'docker.sock' }, 'platform.socketPath'],
    [{ socketPath: '' }, 'platform.socketPath'],
    [{ hostIp: 'localhost' }, 'platform.hostIp'],
    [{ hostIp: '300.1.1.1' }, 'platform.hostIp'],
    [{ network: 'overlay' }, 'platform.network'],
    [{ pull: 'sometimes' }, 'platform.pull'],
    [{ restartMaxRetries: -1 }, 'platform.restartMaxRetries'],
    [{ restartMaxRetries: 1.5 }, 'platform.restartMaxRetries'],
    [{ flavors: [] }, 'platform.flavors'],
    [{ flavors: [{ name: 'a', vcpus: 0, ram: 1, disk: 1 }] }, 'platform.flavors[0].vcpus'],
    [{ flavors: [{ name: 'a', vcpus: 1, ram: 1, disk: 1 }, { name: 'a', vcpus: 1, ram: 1, disk: 1 }] }, 'platform.flavors[1].name'],
    [{ limits: { ram: 0 } }, 'platform.limits.ram'],
    [{ limits: { cpus: 4 } }, 'platform.limits.cpus'],
    [{ docker_registry: 'https://r.io' }, 'platform.docker_registry'],
    [{ docker_registry: 'r.io/path' }, 'platform.docker_registry'],
    [{ docker_reg_pass: 'x' }, 'platform.docker_reg_pass'],
    [{ docker_reg_user: 'x' }, 'platform.docker_reg_user'],
    [{ docker_registry: 'r.io', docker_reg_pass: 5 }, 'platform.docker_reg_pass'],
    [{ labelPrefix: 'Cloudlet' }, 'platform.labelPrefix'],
    [{ labelPrefix: 'a_b' }, 'platform.labelPrefix'],
    [{ sockPath: '/x' }, 'platform.sockPath'],
  ])('rejects %j naming %s', (raw, field) => {
    const e = rejection(raw);
    expect(e.code).toBe(Code.INVALID_ARGUMENT);
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
  });
});

describe('registryOf', () => {
  it.each([
    ['busybox', 'docker.io'],
    ['library/busybox:1', 'docker.io'],
    ['Registry.Example.com/a/b:1', 'registry.example.com'],
    ['127.0.0.1:1/nope:1', '127.0.0.1:1'],
    ['localhost/x', 'localhost'],
  ])('%s is on %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });
});
