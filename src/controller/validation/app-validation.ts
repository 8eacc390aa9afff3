import { invalidArgument } from '../../core/errors.js';
import { DeleteType, ImageType, type App, type ConfigFile } from '../../gen/edgeproto/app.js';
import { validateObjectName } from '../../wire/object-name.js';
import { parseAccessPorts } from './access-ports.js';

/** The deployment types an App may name (`App.deployment`), as the original. */
export const DEPLOYMENTS = Object.freeze(['kubernetes', 'docker', 'kvm', 'helm'] as const);

/** One of {@link DEPLOYMENTS}. */
export type Deployment = (typeof DEPLOYMENTS)[number];

/**
 * The kinds of `App.configs[]`: the three the protocol documentation names (k8s-manifest, helm-values,
 * deploygen-config), plus `envVarsYaml` (a Kubernetes-style YAML list of {name, value}: the environment of a Docker
 * AppInst's containers, which the original's later releases also accept).
 */
export const CONFIG_KINDS = Object.freeze(['k8s-manifest', 'helm-values', 'deploygen-config', 'envVarsYaml'] as const);

/** The image type each deployment needs. */
const IMAGE_TYPE_OF: Readonly<Record<Deployment, ImageType>> = Object.freeze({
  kubernetes: ImageType.IMAGE_TYPE_DOCKER,
  docker: ImageType.IMAGE_TYPE_DOCKER,
  helm: ImageType.IMAGE_TYPE_DOCKER,
  kvm: ImageType.IMAGE_TYPE_QCOW,
});

function isDeployment(value: string): value is Deployment {
  return (DEPLOYMENTS as readonly string[]).includes(value);
}

/**
 * The deployment an App gets when it names none: IMAGE_TYPE_DOCKER → kubernetes, IMAGE_TYPE_QCOW → kvm. Throws
 * INVALID_ARGUMENT naming `image_type` for any other image type (nothing to default from). Pure.
 */
export function defaultDeployment(imageType: ImageType): Deployment {
  if (imageType === ImageType.IMAGE_TYPE_DOCKER) return 'kubernetes';
  if (imageType === ImageType.IMAGE_TYPE_QCOW) return 'kvm';
  throw invalidArgument('image_type', 'must be IMAGE_TYPE_DOCKER or IMAGE_TYPE_QCOW when deployment is empty');
}

function validateKey(app: App): void {
  validateObjectName('key.developer_key.name', app.key?.developer_key?.name ?? '');
  validateObjectName('key.name', app.key?.name ?? '');
  const version = app.key?.version ?? '';
  if (version !== '') validateObjectName('key.version', version);
}

function validateImage(app: App, deployment: Deployment): void {
  const needed = IMAGE_TYPE_OF[deployment];
  if (app.image_type !== needed) {
    throw invalidArgument('image_type', `deployment ${deployment} needs ${ImageType[needed]}, not ${ImageType[app.image_type] ?? app.image_type}`);
  }
  if (/\s/.test(app.image_path)) throw invalidArgument('image_path', `"${app.image_path}" must not contain whitespace`);
  const fromManifest = deployment === 'kubernetes' && app.deployment_manifest !== '';
  if (app.image_path === '' && !fromManifest) {
    throw invalidArgument('image_path', `must not be empty for deployment ${deployment}${deployment === 'kubernetes' ? ' without a deployment_manifest' : ''}`);
  }
}

function validateConfigs(configs: readonly ConfigFile[], deployment: Deployment): void {
  configs.forEach((config, i) => {
    if (!(CONFIG_KINDS as readonly string[]).includes(config.kind)) {
      throw invalidArgument(`configs[${i}].kind`, `"${config.kind}" is not one of ${CONFIG_KINDS.join(', ')}`);
    }
    if (config.kind === 'helm-values' && deployment !== 'helm') {
      throw invalidArgument(`configs[${i}].kind`, `helm-values needs deployment helm, not ${deployment}`);
    }
    if (config.config === '') throw invalidArgument(`configs[${i}].config`, 'must not be empty');
  });
}

/**
 * Checks an App's own content and returns it with `deployment` defaulted from `image_type` when empty (the form
 * that is stored). Rules: names of `key.developer_key.name` and `key.name` (and `key.version` unless empty) follow
 * the object-name rule; `image_type` is a known value; `deployment` is one of {@link DEPLOYMENTS} and agrees with
 * the image type (kubernetes, docker, helm need IMAGE_TYPE_DOCKER; kvm needs IMAGE_TYPE_QCOW); `image_path` has no
 * whitespace and is required except for a kubernetes App with a `deployment_manifest`; `access_ports` parses (see
 * {@link parseAccessPorts}); `default_flavor.name` is set; `del_opt` is a known value; each `configs[]` entry has a
 * known kind (helm-values only with helm) and a non-empty config. Throws INVALID_ARGUMENT naming the first wrong
 * field and the reason. References (developer, flavor) are checked by the API, not here. Pure.
 */
export function validateApp(app: App): App {
  validateKey(app);
  if (ImageType[app.image_type] === undefined || app.image_type === ImageType.UNRECOGNIZED) {
    throw invalidArgument('image_type', `${app.image_type} is not a known ImageType`);
  }
  const deployment = app.deployment === '' ? defaultDeployment(app.image_type) : app.deployment;
  if (!isDeployment(deployment)) {
    throw invalidArgument('deployment', `"${deployment}" is not one of ${DEPLOYMENTS.join(', ')}`);
  }
  validateImage(app, deployment);
  parseAccessPorts(app.access_ports);
  if ((app.default_flavor?.name ?? '') === '') throw invalidArgument('default_flavor', 'must name a flavor');
  if (app.del_opt !== DeleteType.NO_AUTO_DELETE && app.del_opt !== DeleteType.AUTO_DELETE) {
    throw invalidArgument('del_opt', `${app.del_opt} is not a known DeleteType`);
  }
  validateConfigs(app.configs, deployment);
  return { ...app, deployment };
}
