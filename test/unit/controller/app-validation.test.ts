import { describe, expect, it } from 'vitest';
import { defaultDeployment, validateApp } from '../../../src/controller/validation/app-validation.js';
import { App, ImageType, type DeleteType } from '../../../src/gen/edgeproto/app.js';

const base = App.fromPartial({
  key: { developer_key: { name: 'AcmeX' }, name: 'Face Detect', version: '1.0' },
  image_type: ImageType.IMAGE_TYPE_DOCKER,
  image_path: 'registry.example.com/acmex/face:1.0',
  default_flavor: { name: 'x1.small' },
  access_ports: 'tcp:80',
});

function refusal(app: App): { field: string | undefined; message: string } {
  try {
    validateApp(app);
  } catch (e) {
    const err = e as { code: string; field?: string; message: string };
    expect(err.code).toBe('INVALID_ARGUMENT');
    return { field: err.field, message: err.message };
  }
  throw new Error('expected the app to be refused');
}

describe('validateApp', () => {
  it('defaults the deployment from the image type and returns a copy', () => {
    expect(validateApp(base).deployment).toBe('kubernetes');
    expect(base.deployment).toBe('');
    expect(validateApp({ ...base, image_type: ImageType.IMAGE_TYPE_QCOW }).deployment).toBe('kvm');
    expect(validateApp({ ...base, deployment: 'helm' }).deployment).toBe('helm');
    expect(defaultDeployment(ImageType.IMAGE_TYPE_DOCKER)).toBe('kubernetes');
    expect(() => defaultDeployment(ImageType.IMAGE_TYPE_UNKNOWN)).toThrow(/image_type/);
  });

  it('accepts an empty version, a kubernetes manifest instead of an image path, and known configs', () => {
    expect(() => validateApp({ ...base, key: { ...base.key!, version: '' } })).not.toThrow();
    expect(() => validateApp({ ...base, image_path: '', deployment_manifest: 'apiVersion: v1' })).not.toThrow();
    expect(() => validateApp({ ...base, deployment: 'helm', configs: [{ kind: 'helm-values', config: 'a: 1' }] })).not.toThrow();
    expect(() => validateApp({ ...base, configs: [{ kind: 'k8s-manifest', config: 'http://x/y.yaml' }] })).not.toThrow();
  });

  it.each([
    ['empty developer', { key: { ...base.key!, developer_key: { name: '' } } }, 'key.developer_key.name', /must not be empty/],
    ['bad app name', { key: { ...base.key!, name: '-x' } }, 'key.name', /must match/],
    ['bad version', { key: { ...base.key!, version: 'v/1' } }, 'key.version', /must match/],
    ['unknown image type, no deployment', { image_type: ImageType.IMAGE_TYPE_UNKNOWN }, 'image_type', /IMAGE_TYPE_DOCKER or IMAGE_TYPE_QCOW/],
    ['out-of-range image type', { image_type: 9 as ImageType }, 'image_type', /9 is not a known ImageType/],
    ['unknown deployment', { deployment: 'vm' }, 'deployment', /"vm" is not one of kubernetes, docker, kvm, helm/],
    ['kvm with docker image', { deployment: 'kvm' }, 'image_type', /deployment kvm needs IMAGE_TYPE_QCOW/],
    ['docker with qcow image', { deployment: 'docker', image_type: ImageType.IMAGE_TYPE_QCOW }, 'image_type', /needs IMAGE_TYPE_DOCKER/],
    ['missing image path (docker)', { deployment: 'docker', image_path: '' }, 'image_path', /must not be empty for deployment docker/],
    ['missing image path (kubernetes)', { image_path: '' }, 'image_path', /without a deployment_manifest/],
    ['whitespace in image path', { image_path: 'a b' }, 'image_path', /must not contain whitespace/],
    ['bad access ports', { access_ports: 'tcp:0' }, 'access_ports', /port "0"/],
    ['no flavor', { default_flavor: undefined }, 'default_flavor', /must name a flavor/],
    ['unknown del_opt', { del_opt: 7 as DeleteType }, 'del_opt', /7 is not a known DeleteType/],
    ['unknown config kind', { configs: [{ kind: 'yaml', config: 'x' }] }, 'configs[0].kind', /"yaml" is not one of/],
    ['helm values without helm', { configs: [{ kind: 'helm-values', config: 'x' }] }, 'configs[0].kind', /needs deployment helm/],
    ['empty config', { configs: [{ kind: 'k8s-manifest', config: 'x' }, { kind: 'k8s-manifest', config: '' }] }, 'configs[1].config', /must not be empty/],
  ] as const)('refuses %s', (_name, change, field, reason) => {
    const err = refusal({ ...base, ...change } as App);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toMatch(reason);
  });
});
