/**
 * Controller-side fixtures of the Docker integration tests: a cloudlet of their own (a unique name per test file,
 * so the driver's labels keep files apart on a shared daemon), Apps of deployment docker running the local test
 * image, and ClusterInst / AppInst requests with dedicated IP access (public port = the App's port).
 */
import { App, ImageType } from '../../src/gen/edgeproto/app.js';
import type { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, type CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import type { ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import { IpAccess } from '../../src/gen/edgeproto/common.js';
import { keyString } from '../../src/wire/object-key.js';
import { aiRequest, ciRequest, cloudletKeyOf, DEVELOPER, type InstEnv } from './inst-env.js';

/** A cloudlet name no other test file or run uses: `dk-<tag>-<random>`. */
export function uniqueCloudletName(tag: string): string {
  return `dk-${tag}-${Math.random().toString(36).slice(2, 8)}`;
}

/** `httpd -f -p <port> -h /www` of the test image (serves "hello from cloudletd\n"). */
export function httpdCommand(port: number): string {
  return `httpd -f -p ${port} -h /www`;
}

/** An App of Acme with deployment docker, the test image by default, default flavor x1.small. */
export function dockerApp(name: string, fields: Partial<App> & { image_path: string }): App {
  return App.fromPartial({
    key: { developer_key: { name: DEVELOPER }, name, version: '1.0' },
    image_type: ImageType.IMAGE_TYPE_DOCKER,
    deployment: 'docker',
    default_flavor: { name: 'x1.small' },
    ...fields,
  });
}

/** An App serving the test page with httpd on `port` (access port tcp:`port`). */
export function webApp(name: string, image: string, port: number): App {
  return dockerApp(name, { image_path: image, command: httpdCommand(port), access_ports: `tcp:${port}` });
}

/** Writes the Cloudlet `name` (operator TDG, 2 dynamic IPs) and `apps` into the controller's store. */
export async function addDockerCloudlet(env: InstEnv, name: string, apps: readonly App[]): Promise<CloudletKey> {
  const { kinds, objects } = env.ctl.controller;
  const key = cloudletKeyOf(name);
  await objects.write((tx) => {
    tx.put(kinds.cloudlet, Cloudlet.fromPartial({ key, location: { latitude: 52.5, longitude: 13.4 }, num_dynamic_ips: 2 }));
    for (const app of apps) tx.put(kinds.app, app);
  });
  return key;
}

/** A ClusterInst request of deployment docker with dedicated IP access: no masters, one node, flavor x1.small. */
export function dockerCiRequest(cluster: string, cloudlet: string): ClusterInst {
  return ciRequest(cluster, cloudlet, { deployment: 'docker', ip_access: IpAccess.IP_ACCESS_DEDICATED, num_masters: 0, num_nodes: 1 });
}

/** An AppInst request of App `app` (1.0) on `cluster` of `cloudlet`. */
export function dockerAiRequest(app: string, cluster: string, cloudlet: string): AppInst {
  return aiRequest(app, cluster, cloudlet);
}

/** The key string of {@link dockerAiRequest}(app, cluster, cloudlet) (what the driver labels its containers with). */
export function appInstKeyOf(app: string, cluster: string, cloudlet: string): string {
  return keyString.appInst(aiRequest(app, cluster, cloudlet).key);
}
