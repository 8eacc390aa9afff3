import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES, ROUTES_BY_PATH } from '../../../src/controller/rest/routes.js';
import { startTestController, type TestController } from '../../helpers/controller-harness.js';
import { answerShape, grpcAnswer, rest, type ExpectedAnswer } from '../../helpers/rest-client.js';

// Two controllers with the same history: `viaRest` is driven through its REST gateway, `viaGrpc` directly through
// its gRPC API. Every step must answer over REST exactly what the gRPC API answers (ports aside).
let viaRest: TestController;
let viaGrpc: TestController;
let base: string;
beforeAll(async () => {
  viaRest = await startTestController({ httpAddr: '127.0.0.1:0' });
  viaGrpc = await startTestController();
  base = `http://127.0.0.1:${viaRest.controller.httpPort}`;
});
afterAll(async () => {
  await viaRest.close();
  await viaGrpc.close();
});

const edge = (name: string): object => ({ operator_key: { name: 'TDG' }, name });
const ciKey = { cluster_key: { name: 'c1' }, cloudlet_key: edge('edge1'), developer: 'Acme' };
const appKey = { developer_key: { name: 'Acme' }, name: 'face', version: '1.0' };
const aiKey = { app_key: appKey, cluster_inst_key: ciKey };

/** The script: every REST path at least once, successes and failures, in an order that makes sense. */
const STEPS: readonly (readonly [string, object])[] = [
  ['/create/operator', { key: { name: 'TDG' } }],
  ['/create/operator', { key: { name: 'TDG' } }],
  ['/create/developer', { key: { name: 'Acme' } }],
  ['/create/flavor', { key: { name: 'x1.small' }, ram: 1024, vcpus: '1', disk: 10 }],
  ['/create/flavor', { key: { name: 'x1.huge' }, ram: '18446744073709551615', vcpus: 64, disk: 1000 }],
  ['/create/flavor', { key: { name: '' } }],
  ['/create/cloudlet', { key: edge('edge1'), location: { latitude: 52.5, longitude: 13.4 }, numDynamicIps: 2 }],
  ['/create/cloudlet', { key: edge('edge2'), location: { latitude: 48.1, longitude: 11.6 }, num_dynamic_ips: 2 }],
  ['/create/cloudlet', { key: edge('edge1'), location: { latitude: 52.5, longitude: 13.4 } }],
  ['/create/cluster', { key: { name: 'c1' }, default_flavor: { name: 'x1.small' } }],
  ['/create/app', {
    key: appKey, image_type: 'IMAGE_TYPE_DOCKER', image_path: 'registry.example.com/acme/face:1.0', access_ports: 'tcp:8008',
    default_flavor: { name: 'x1.small' }, deployment: 'kubernetes',
  }],
  ['/create/clusterinst', { key: ciKey, flavor: { name: 'x1.small' }, num_masters: 1, num_nodes: 1, crm_override: 'IGNORE_CRM' }],
  ['/create/clusterinst', { key: { ...ciKey, cluster_key: { name: 'c2' } }, flavor: { name: 'x1.small' }, num_masters: 1, num_nodes: 1 }],
  ['/create/appinst', { key: aiKey, crm_override: 2 }],
  ['/create/appinst', { key: { ...aiKey, app_key: { ...appKey, name: 'nope' } }, crm_override: 'IGNORE_CRM' }],
  ['/show/operator', {}],
  ['/show/developer', {}],
  ['/show/flavor', {}],
  ['/show/flavor', { key: { name: 'x1.huge' } }],
  ['/show/cloudlet', {}],
  ['/show/cluster', {}],
  ['/show/app', {}],
  ['/show/clusterinst', {}],
  ['/show/appinst', {}],
  ['/show/appinstinfo', {}],
  ['/show/appinstmetrics', {}],
  ['/show/cloudletinfo', {}],
  ['/show/cloudletmetrics', {}],
  ['/show/clusterinstinfo', {}],
  ['/show/controller', {}],
  ['/show/node', {}],
  ['/show/nodelocal', {}],
  ['/update/operator', { key: { name: 'TDG' } }],
  ['/update/developer', { key: { name: 'Acme' }, email: 'dev@acme.example', fields: ['6'] }],
  ['/update/developer', { key: { name: 'Nobody' }, email: 'x@y.example', fields: ['6'] }],
  ['/update/flavor', { key: { name: 'x1.small' }, ram: 2048, fields: ['3'] }],
  ['/update/cluster', { key: { name: 'c1' }, default_flavor: { name: 'x1.huge' }, fields: ['3'] }],
  ['/update/app', { key: appKey, access_ports: 'tcp:8009', fields: ['7'] }],
  ['/update/cloudlet', { key: edge('edge2'), num_dynamic_ips: 3, fields: ['8'] }],
  ['/update/clusterinst', { key: ciKey, num_nodes: 2, crm_override: 'IGNORE_CRM', fields: ['14'] }],
  ['/update/appinst', { key: aiKey, crm_override: 'IGNORE_CRM' }],
  ['/show/flavor', {}],
  ['/show/clusterinst', {}],
  ['/delete/flavor', { key: { name: 'x1.small' } }],
  ['/delete/appinst', { key: aiKey, crm_override: 'IGNORE_CRM' }],
  ['/delete/clusterinst', { key: ciKey, crm_override: 'IGNORE_CRM_AND_TRANSIENT_STATE' }],
  ['/delete/app', { key: appKey }],
  ['/delete/cluster', { key: { name: 'c1' } }],
  ['/delete/cloudet', { key: edge('edge1') }],
  ['/delete/cloudlet', { key: edge('edge2') }],
  ['/delete/cloudlet', { key: edge('edge2') }],
  ['/delete/flavor', { key: { name: 'x1.small' } }],
  ['/delete/developer', { key: { name: 'Acme' } }],
  ['/delete/operator', { key: { name: 'TDG' } }],
  ['/show/operator', {}],
];

/** The answer with the controllers' own ports and creation times blanked, so that both controllers' answers compare. */
function portless(answer: ExpectedAnswer): ExpectedAnswer {
  const text = JSON.stringify(answer).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
  return JSON.parse(text, (key, value: unknown) => (key === 'created_at' ? 'TIME' : value)) as ExpectedAnswer;
}

describe('controller REST gateway: every path answers like the gRPC API', () => {
  it('the script covers every route', () => {
    expect(new Set(STEPS.map(([path]) => path))).toEqual(new Set(REST_ROUTES.map((r) => r.path)));
  });

  it('runs the script over REST and gRPC with the same answers', async () => {
    const answers: ExpectedAnswer[] = [];
    for (const [path, body] of STEPS) {
      const route = ROUTES_BY_PATH.get(path);
      if (!route) throw new Error(`no route ${path}`);
      const got = answerShape(await rest(base, path, body));
      const want = await grpcAnswer(viaGrpc.apiAddress, route, body);
      expect(portless(got), `${path} ${JSON.stringify(body)}`).toEqual(portless(want));
      answers.push(got);
    }
    const at = (i: number): ExpectedAnswer => answers[i] as ExpectedAnswer;
    // A sample of what that means on the wire.
    expect(at(0)).toEqual({ status: 200, ndjson: false, body: {} });
    expect(at(1)).toEqual({ status: 409, ndjson: false, body: { code: 'ALREADY_EXISTS', message: 'operator TDG already exists' } });
    expect(at(5)).toMatchObject({ status: 400, ndjson: false, body: { code: 'INVALID_ARGUMENT' } });
    expect(at(6)).toEqual({ status: 200, ndjson: true, body: [{ result: { message: 'Created cloudlet edge1 of operator TDG' } }] });
    expect(at(12)).toMatchObject({ status: 400, body: { code: 'FAILED_PRECONDITION' } });
    expect(at(14)).toMatchObject({ status: 404, ndjson: false, body: { code: 'NOT_FOUND' } });
    // 64-bit integers come back as strings; enums by name (crm_override 2 was IGNORE_CRM).
    expect(at(18).body).toEqual([{ result: { key: { name: 'x1.huge' }, ram: '18446744073709551615', vcpus: '64', disk: '1000' } }]);
    expect(at(23).body).toEqual([{ result: expect.objectContaining({ state: 'READY', key: aiKey }) as unknown }]);
    expect((at(22).body as { result: { state: string; ip_access: string } }[])[0]?.result).toMatchObject({ state: 'READY', ip_access: 'IP_ACCESS_DEDICATED' });
    expect(at(29).body).toEqual([{ result: { key: { addr: viaRest.apiAddress } } }]);
    expect(at(34)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(at(40)).toMatchObject({ status: 501, body: { code: 'UNIMPLEMENTED' } });
    expect(at(43)).toMatchObject({ status: 400, body: { code: 'FAILED_PRECONDITION', message: expect.stringContaining('in use') as unknown } });
    expect(at(48)).toEqual({ status: 200, ndjson: true, body: [{ result: { message: 'Deleted cloudlet edge1 of operator TDG' } }] });
    expect(at(49)).toMatchObject({ status: 200, ndjson: true });
    expect(at(50)).toEqual({ status: 404, ndjson: false, body: { code: 'NOT_FOUND', message: 'cloudlet edge2 of operator TDG not found' } });
    for (const i of [51, 52, 53]) expect(at(i)).toEqual({ status: 200, ndjson: false, body: {} });
    expect(at(STEPS.length - 1)).toEqual({ status: 200, ndjson: true, body: [] });
  });
});
