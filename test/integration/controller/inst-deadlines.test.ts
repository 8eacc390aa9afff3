import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CRMOverride, TrackedState } from '../../../src/gen/edgeproto/common.js';
import { operationKind } from '../../../src/controller/state/operations.js';
import { keyString } from '../../../src/wire/object-key.js';
import { aiRequest, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const SHORT = { createMs: 300, updateMs: 250, deleteMs: 250 };

let env: InstEnv;
const dirs: string[] = [];
afterEach(async () => {
  await env.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storedCi(cluster: string) {
  return env.ctl.controller.objects.cache(env.ctl.controller.kinds.clusterInst).get(keyString.clusterInst(ciRequest(cluster).key));
}

describe('operation deadlines', () => {
  it('a silent CRM: create ends DEADLINE_EXCEEDED, the object is CREATE_ERROR "timed out after 0.3 s"; Delete with IGNORE_CRM works', async () => {
    env = await startInstEnv({ timeouts: SHORT, crm: { mode: 'silent' } });
    const out = await env.createCi(ciRequest('c1'));
    expect(out.error).toEqual({ code: 'DEADLINE_EXCEEDED', details: 'create ClusterInst c1 on cloudlet edge1 timed out after 0.3 s' });
    expect(out.messages).toEqual(['CreateError']);
    expect(storedCi('c1')).toMatchObject({ state: TrackedState.CREATE_ERROR, errors: ['timed out after 0.3 s'] });
    // The CRM was told: its mirror shows the error state.
    await waitFor(() => env.crm?.client.clusterInsts.values()[0]?.state === TrackedState.CREATE_ERROR);
    expect((await env.deleteCi({ ...ciRequest('c1'), crm_override: CRMOverride.IGNORE_CRM })).error).toBeUndefined();
    expect(storedCi('c1')).toBeUndefined();
  });

  it('delete and update deadlines move the object to DELETE_ERROR / UPDATE_ERROR; a CRM that answers then deletes it', async () => {
    env = await startInstEnv({ timeouts: SHORT, crm: { update: 'silent', delete: 'silent' } });
    const request = ciRequest('c1');
    expect((await env.createCi({ ...request, crm_override: CRMOverride.IGNORE_CRM })).error).toBeUndefined();
    expect((await env.updateCi({ ...request, fields: ['14'], num_nodes: 2 })).error)
      .toEqual({ code: 'DEADLINE_EXCEEDED', details: 'update ClusterInst c1 on cloudlet edge1 timed out after 0.25 s' });
    expect(storedCi('c1')).toMatchObject({ state: TrackedState.UPDATE_ERROR, errors: ['timed out after 0.25 s'] });
    expect((await env.deleteCi(request)).error)
      .toEqual({ code: 'DEADLINE_EXCEEDED', details: 'delete ClusterInst c1 on cloudlet edge1 timed out after 0.25 s' });
    expect(storedCi('c1')?.state).toBe(TrackedState.DELETE_ERROR);
    if (env.crm) env.crm.modes.delete = 'ready';
    expect((await env.deleteCi(request)).error).toBeUndefined();
    expect(storedCi('c1')).toBeUndefined();
  });

  it('a slow CRM that answers before the deadline succeeds; IGNORE_CRM_ERRORS turns a timeout into READY', async () => {
    env = await startInstEnv({ timeouts: { ...SHORT, createMs: 2000 }, crm: { mode: 'slow', delayMs: 150 } });
    const slow = await env.createCi(ciRequest('c1'));
    expect(slow.error).toBeUndefined();
    expect(slow.messages).toEqual(['Creating', 'Ready', 'Created successfully']);
    await env.close();
    env = await startInstEnv({ timeouts: SHORT, crm: { create: 'silent' } });
    const forced = await env.createCi({ ...ciRequest('c2'), crm_override: CRMOverride.IGNORE_CRM_ERRORS });
    expect(forced.error).toBeUndefined();
    expect(forced.messages).toEqual(['Ready', 'ignored CRM errors: timed out after 0.3 s', 'Created successfully']);
    expect(storedCi('c2')?.state).toBe(TrackedState.READY);
  });

  it('deadlines survive a controller restart: the sweeper expires what the previous run started', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-deadline-'));
    dirs.push(dataDir);
    const timeouts = { createMs: 1500, updateMs: 1500, deleteMs: 1500 };
    env = await startInstEnv({ timeouts, store: 'lmdb', dataDir, crm: { create: 'silent' } });
    const call = env.createCi(ciRequest('c1'));
    await waitFor(() => storedCi('c1')?.state === TrackedState.CREATE_REQUESTED);
    const { kinds, objects } = env.ctl.controller;
    const op = objects.cache(operationKind).values()[0];
    expect(op).toMatchObject({ inst: 'ClusterInst', action: 'create', timeoutMs: 1500 });
    await env.close();
    expect((await call).error).toEqual({ code: 'UNAVAILABLE', details: 'controller shutting down while waiting for create ClusterInst c1 on cloudlet edge1; the operation goes on' });
    env = await startInstEnv({ timeouts, store: 'lmdb', dataDir, crm: false });
    expect(env.ctl.controller.objects.cache(kinds.clusterInst).values()[0]?.state).toBe(TrackedState.CREATE_REQUESTED);
    await waitFor(() => storedCi('c1')?.state === TrackedState.CREATE_ERROR, { timeoutMs: 5000 });
    expect(Date.now()).toBeGreaterThanOrEqual(op?.deadline ?? Infinity);
    expect(storedCi('c1')?.errors).toEqual(['timed out after 1.5 s']);
    expect(env.ctl.controller.objects.cache(operationKind).values()[0]?.outcome).toMatchObject({ result: 'timeout' });
  });

  it('an AppInst create on a silent CRM times out into CREATE_ERROR and the ClusterInst stays usable', async () => {
    env = await startInstEnv({ timeouts: SHORT, crm: { create: 'silent' } });
    await env.createCi({ ...ciRequest('c1'), crm_override: CRMOverride.IGNORE_CRM });
    const face = aiRequest('face', 'c1');
    const out = await env.createAi(face);
    expect(out.error).toEqual({ code: 'DEADLINE_EXCEEDED', details: 'create AppInst face 1.0 on cluster c1 of cloudlet edge1 timed out after 0.3 s' });
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.appInst).get(keyString.appInst(face.key))).toMatchObject({ state: TrackedState.CREATE_ERROR, errors: ['timed out after 0.3 s'] });
    if (env.crm) env.crm.modes.delete = 'ready';
    expect((await env.deleteAi(face)).error).toBeUndefined();
    expect(objects.cache(kinds.appInst).size).toBe(0);
    expect(storedCi('c1')?.state).toBe(TrackedState.READY);
  });
});
