import type * as grpc from '@grpc/grpc-js';
import { App, ImageType } from '../../src/gen/edgeproto/app.js';
import { AppInst, AppInstApiClient } from '../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletState } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst, ClusterInstApiClient } from '../../src/gen/edgeproto/clusterinst.js';
import { Developer } from '../../src/gen/edgeproto/developer.js';
import { Flavor } from '../../src/gen/edgeproto/flavor.js';
import { Operator } from '../../src/gen/edgeproto/operator.js';
import type { Result } from '../../src/gen/edgeproto/result.js';
import type { OperationTimeouts } from '../../src/controller/config.js';
import { keyString } from '../../src/wire/object-key.js';
import { insecure, startTestController, type TestController } from './controller-harness.js';
import { startTestCrm, type TestCrm, type TestCrmOptions } from './test-crm.js';
import { waitFor } from './wait-for.js';

/** What a streamed ClusterInst/AppInst call gave: its Result messages and, if it failed, the status. */
export interface StreamOutcome {
  readonly messages: string[];
  readonly error?: { code: string; details: string } | undefined;
}

/** Reads a Result stream to its end without rejecting: messages plus the final status if not OK. */
export function outcome(stream: grpc.ClientReadableStream<Result>): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    stream.on('data', (r: Result) => messages.push(r.message));
    stream.on('error', (err: grpc.ServiceError) => resolve({ messages, error: { code: statusName(err.code), details: err.details } }));
    stream.on('end', () => resolve({ messages }));
  });
}

const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL',
  'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

function statusName(code: number): string {
  return STATUS_NAMES[code] ?? String(code);
}

/** The operator, cloudlet, developer and names the fixtures use. */
export const OPERATOR = 'TDG';
export const DEVELOPER = 'Acme';

export function cloudletKeyOf(name: string) {
  return { operator_key: { name: OPERATOR }, name };
}

/** A ClusterInst request on `cloudlet` (one master, `nodes` nodes, flavor x1.small unless given). */
export function ciRequest(cluster: string, cloudlet = 'edge1', extra: Partial<ClusterInst> = {}): ClusterInst {
  return ClusterInst.fromPartial({
    key: { cluster_key: { name: cluster }, cloudlet_key: cloudletKeyOf(cloudlet), developer: DEVELOPER },
    flavor: { name: 'x1.small' }, num_masters: 1, num_nodes: 1, ...extra,
  });
}

/** An AppInst request of app `app` (version 1.0) on cluster `cluster` of `cloudlet`. */
export function aiRequest(app: string, cluster: string, cloudlet = 'edge1', extra: Partial<AppInst> = {}): AppInst {
  return AppInst.fromPartial({
    key: {
      app_key: { developer_key: { name: DEVELOPER }, name: app, version: '1.0' },
      cluster_inst_key: { cluster_key: { name: cluster }, cloudlet_key: cloudletKeyOf(cloudlet), developer: DEVELOPER },
    },
    ...extra,
  });
}

/** A controller with Operator TDG, Developer Acme, flavors, cloudlets and apps, a test CRM, and API clients. */
export interface InstEnv {
  readonly ctl: TestController;
  readonly crm: TestCrm | undefined;
  readonly clusterInsts: ClusterInstApiClient;
  readonly appInsts: AppInstApiClient;
  /** Starts another test CRM (e.g. after a controller restart) on `cloudlet`; stopped by close(). */
  startCrm(cloudlet?: string, options?: TestCrmOptions): Promise<TestCrm>;
  createCi(request: ClusterInst): Promise<StreamOutcome>;
  deleteCi(request: ClusterInst): Promise<StreamOutcome>;
  updateCi(request: ClusterInst): Promise<StreamOutcome>;
  createAi(request: AppInst): Promise<StreamOutcome>;
  deleteAi(request: AppInst): Promise<StreamOutcome>;
  close(): Promise<void>;
}

/** Options of {@link startInstEnv}. */
export interface InstEnvOptions {
  timeouts?: OperationTimeouts;
  /** The CRM of cloudlet edge1; `false` for none. */
  crm?: TestCrmOptions | false;
  /** An existing data dir (restart tests) with the lmdb store; the fixtures are then not written again. */
  dataDir?: string;
  store?: 'memory' | 'lmdb';
  /** The controller's REST gateway address (e.g. `127.0.0.1:0`); none when absent. */
  httpAddr?: string;
}

/** Flavors: x1.small 1 GB/1 vCPU/10 GB, x1.medium 4 GB/2/40, x1.large 16 GB/8/100. */
export const FLAVORS = [
  Flavor.fromPartial({ key: { name: 'x1.small' }, ram: 1024n, vcpus: 1n, disk: 10n }),
  Flavor.fromPartial({ key: { name: 'x1.medium' }, ram: 4096n, vcpus: 2n, disk: 40n }),
  Flavor.fromPartial({ key: { name: 'x1.large' }, ram: 16384n, vcpus: 8n, disk: 100n }),
];

/** Apps of Acme: face (tcp:8008,udp:8008,http:8080) and game (tcp:7777,udp:7778), default flavor x1.small. */
export function appFixture(name: string, accessPorts: string): App {
  return App.fromPartial({
    key: { developer_key: { name: DEVELOPER }, name, version: '1.0' }, image_type: ImageType.IMAGE_TYPE_DOCKER,
    image_path: `registry.example.com/acme/${name}:1.0`, access_ports: accessPorts, default_flavor: { name: 'x1.small' },
    deployment: 'kubernetes',
  });
}

/** Starts the environment; the CRM (if any) has reported its CloudletInfo when this resolves. */
export async function startInstEnv(options: InstEnvOptions = {}): Promise<InstEnv> {
  const timeouts = options.timeouts ?? { createMs: 10_000, updateMs: 10_000, deleteMs: 10_000 };
  const ctl = await startTestController({
    timeouts, ...(options.dataDir ? { dataDir: options.dataDir, keepDataDir: true } : {}), ...(options.store ? { store: options.store } : {}),
    ...(options.httpAddr ? { httpAddr: options.httpAddr } : {}),
  });
  const { kinds, objects } = ctl.controller;
  if (!options.dataDir || !objects.cache(kinds.operator).size) {
    await objects.write((tx) => {
      tx.put(kinds.operator, Operator.fromPartial({ key: { name: OPERATOR } }));
      tx.put(kinds.developer, Developer.fromPartial({ key: { name: DEVELOPER } }));
      for (const f of FLAVORS) tx.put(kinds.flavor, f);
      for (const name of ['edge1', 'edge2']) {
        tx.put(kinds.cloudlet, Cloudlet.fromPartial({ key: cloudletKeyOf(name), location: { latitude: 52.5, longitude: 13.4 }, num_dynamic_ips: 2 }));
      }
      tx.put(kinds.app, appFixture('face', 'tcp:8008,udp:8008,http:8080'));
      tx.put(kinds.app, appFixture('game', 'tcp:7777,udp:7778'));
    });
  }
  const crms: TestCrm[] = [];
  const startCrm = async (cloudlet = 'edge1', crmOptions: TestCrmOptions = {}): Promise<TestCrm> => {
    const crm = startTestCrm(ctl.notifyAddress, cloudletKeyOf(cloudlet), crmOptions);
    crms.push(crm);
    const key = keyString.cloudlet(cloudletKeyOf(cloudlet));
    const wanted = crmOptions.info?.state ?? CloudletState.CLOUDLET_STATE_READY;
    await waitFor(() => objects.cache(kinds.cloudletInfo).get(key)?.state === wanted, { timeoutMs: 5000, message: `CloudletInfo of ${cloudlet}` });
    return crm;
  };
  const crm = options.crm === false ? undefined : await startCrm('edge1', options.crm ?? {});
  const clusterInsts = new ClusterInstApiClient(ctl.apiAddress, insecure);
  const appInsts = new AppInstApiClient(ctl.apiAddress, insecure);
  return {
    ctl, crm, clusterInsts, appInsts, startCrm,
    createCi: (r) => outcome(clusterInsts.createClusterInst(r)),
    deleteCi: (r) => outcome(clusterInsts.deleteClusterInst(r)),
    updateCi: (r) => outcome(clusterInsts.updateClusterInst(r)),
    createAi: (r) => outcome(appInsts.createAppInst(r)),
    deleteAi: (r) => outcome(appInsts.deleteAppInst(r)),
    close: async () => {
      clusterInsts.close();
      appInsts.close();
      for (const c of crms) await c.stop();
      await ctl.close();
    },
  };
}
