import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectCache } from '../../../src/cache/object-cache.js';
import { operationKind } from '../../../src/controller/state/operations.js';
import { ClusterInst } from '../../../src/gen/edgeproto/clusterinst.js';
import { messageToJson } from '../../../src/wire/message-json.js';
import { ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { rest } from '../../helpers/rest-client.js';
import { waitFor } from '../../helpers/wait-for.js';

let env: InstEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const baseOf = (e: InstEnv): string => `http://127.0.0.1:${e.ctl.controller.httpPort}`;
const ci = (name: string): unknown => messageToJson(ClusterInst, ciRequest(name));

/** How many watchers a cache has: a waiting create watches the operations until its call ends. */
function watchers(cache: ObjectCache<unknown>): number {
  return (cache as unknown as { listeners: Set<unknown> }).listeners.size;
}

describe('controller REST gateway: streaming', () => {
  it('streams each progress message as NDJSON and ends a stream that fails after it started with an error line', async () => {
    env = await startInstEnv({ httpAddr: '127.0.0.1:0', crm: { create: 'error' } });
    const res = await rest(baseOf(env), '/create/clusterinst', ci('c1'));
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/x-ndjson');
    expect(res.body).toEqual([
      { result: { message: 'CreateError' } },
      { error: { code: 'ABORTED', message: 'create ClusterInst c1 on cloudlet edge1 failed: fake create failed' } },
    ]);
    // The same stream failing before its first message is answered like a unary error.
    expect(await rest(baseOf(env), '/create/clusterinst', ci('c1'))).toMatchObject({ status: 409, contentType: 'application/json', body: { code: 'ALREADY_EXISTS' } });
  });

  it('streams a READY create through the CRM', async () => {
    env = await startInstEnv({ httpAddr: '127.0.0.1:0' });
    const res = await rest(baseOf(env), '/create/clusterinst', ci('c1'));
    expect(res.status).toBe(200);
    const lines = res.body as { result?: { message: string }; error?: unknown }[];
    expect(lines.every((l) => l.result !== undefined)).toBe(true);
    expect(lines.map((l) => l.result?.message)).toContain('Ready');
  });

  it('cancels the gRPC call when the HTTP client goes away mid-stream', async () => {
    env = await startInstEnv({ httpAddr: '127.0.0.1:0', crm: { create: 'slow', delayMs: 60_000 } });
    const { objects } = env.ctl.controller;
    const cache = objects.cache(operationKind) as ObjectCache<unknown>;
    const before = watchers(cache);
    const body = JSON.stringify(ci('c1'));
    const req = request(`${baseOf(env)}/create/clusterinst`, { method: 'POST', headers: { 'Content-Length': Buffer.byteLength(body) } });
    const firstLine = new Promise<string>((resolve, reject) => {
      req.on('response', (res) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      req.on('error', reject);
    });
    req.end(body);
    const line = await firstLine;
    expect(line).toBe('{"result":{"message":"Creating"}}\n');
    expect(watchers(cache)).toBeGreaterThan(before);
    req.destroy();
    await waitFor(() => watchers(cache) === before, { timeoutMs: 5000, message: 'the waiting create to end' });
    const metrics = await (await fetch(`${baseOf(env)}/metrics`)).text();
    expect(metrics).toMatch(/^cloudletd_controller_http_requests_total\{path="\/create\/clusterinst",code="CANCELLED"\} 1$/m);
  });
});
