import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestController, type TestController } from '../../helpers/controller-harness.js';
import { rest } from '../../helpers/rest-client.js';

let ctl: TestController;
let base: string;
beforeAll(async () => {
  ctl = await startTestController({ httpAddr: '127.0.0.1:0', httpMaxBodyBytes: 4096 });
  base = `http://127.0.0.1:${ctl.controller.httpPort}`;
});
afterAll(async () => {
  await ctl.close();
});

const invalid = (message: string): object => ({ status: 400, body: { code: 'INVALID_ARGUMENT', message } });

describe('controller REST gateway: requests that never reach the API', () => {
  it('answers 400 naming the problem for each bad body', async () => {
    expect(await rest(base, '/create/flavor', '{"key": ')).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^invalid body: not valid JSON: /) as unknown } });
    expect(await rest(base, '/create/flavor', '[]')).toMatchObject(invalid('invalid body: must be a JSON object (edgeproto.Flavor), not an array'));
    expect(await rest(base, '/create/flavor', '"x1"')).toMatchObject(invalid('invalid body: must be a JSON object (edgeproto.Flavor), not string "x1"'));
    expect(await rest(base, '/create/app', { key: { developer_key: { nmae: 'Acme' } } })).toMatchObject(invalid('invalid key.developer_key.nmae: unknown field of edgeproto.DeveloperKey'));
    expect(await rest(base, '/create/flavor', { key: { name: 'x' }, ram: 'lots' })).toMatchObject(invalid('invalid ram: must be an integer (a number or a decimal string), not string "lots"'));
    expect(await rest(base, '/create/clusterinst', { crm_override: 'IGNORE_EVERYTHING' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^invalid crm_override: must be one of NO_OVERRIDE, /) as unknown } });
    expect(await rest(base, '/create/clusterinst', { crm_override: 99 })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^invalid crm_override: must be one of /) as unknown } });
    const big = await rest(base, '/create/flavor', JSON.stringify({ key: { name: 'x'.repeat(5000) } }));
    expect(big).toMatchObject(invalid('invalid body: larger than 4096 bytes'));
  });

  it('reads an empty body as the empty message, and lowerCamelCase names as proto names', async () => {
    expect(await rest(base, '/create/flavor', '')).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT', message: 'invalid key.name: must not be empty' } });
    expect(await rest(base, '/show/flavor', '')).toMatchObject({ status: 200, body: [] });
    expect(await rest(base, '/create/operator', { key: { name: 'TDG' } })).toMatchObject({ status: 200, body: {} });
    expect(await rest(base, '/create/cloudlet', { key: { operatorKey: { name: 'TDG' }, name: 'edge1' }, location: { latitude: 1, longitude: 2 }, numDynamicIps: '3' })).toMatchObject({ status: 200 });
    const shown = await rest(base, '/show/cloudlet', { numDynamicIps: 3 });
    expect(shown.body).toEqual([{ result: { key: { operator_key: { name: 'TDG' }, name: 'edge1' }, location: { latitude: 1, longitude: 2 }, num_dynamic_ips: 3 } }]);
    expect(shown.contentType).toBe('application/x-ndjson');
  });

  it('answers 404 for an unknown path and 405 with Allow for another method', async () => {
    expect(await rest(base, '/create/planet', {})).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'not found: no API at /create/planet' } });
    const get = await rest(base, '/show/flavor', undefined, { method: 'GET' });
    expect(get).toMatchObject({ status: 405, body: { code: 'UNIMPLEMENTED', message: 'method not allowed: /show/flavor takes POST' } });
    expect(get.headers.get('allow')).toBe('POST');
    const post = await rest(base, '/healthz', '');
    expect(post).toMatchObject({ status: 405 });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves /healthz, /readyz and /metrics with the REST request metrics', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(base + path);
      expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
    }
    await rest(base, '/show/flavor', '{}');
    await rest(base, '/delete/flavor', { key: { name: 'nope' } });
    const metrics = await fetch(base + '/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/^cloudletd_controller_http_requests_total\{path="\/show\/flavor",code="OK"\} [1-9]\d*$/m);
    expect(text).toMatch(/^cloudletd_controller_http_requests_total\{path="\/delete\/flavor",code="NOT_FOUND"\} 1$/m);
    expect(text).toMatch(/^cloudletd_controller_http_requests_total\{path="\/show\/nodelocal",code="OK"\} 0$/m);
    expect(text).toMatch(/^cloudletd_controller_http_requests_total\{path="other",code="NOT_FOUND"\} [1-9]/m);
    expect(text).toMatch(/^cloudletd_controller_http_request_duration_seconds_count\{path="\/show\/flavor"\} [1-9]/m);
    expect(text).toContain('cloudletd_notify_server_peers');
  });
});
