// kill -9 of a real `cloudletd crm` process, again and again in the middle of its work: the restarted CRM resumes
// from its journal and the platform's labels, so nothing is created twice and nothing is left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakePlatform } from '../../../platforms/fake/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { waitCloudletInfo } from '../../helpers/crm-harness.js';
import { spawnCrm, type CrmProcess } from '../../helpers/crm-process.js';
import { aiRequest, appFixture, ciRequest, cloudletKeyOf, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const COUNT = 200;
const KILLS_PER_PHASE = 10;
const APPS = Array.from({ length: COUNT }, (_, i) => `app${String(i).padStart(3, '0')}`);

const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-kill9-'));
let env: InstEnv | undefined;
let crm: CrmProcess | undefined;

afterAll(async () => {
  await crm?.stop('SIGKILL');
  await env?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function startCrm(notifyAddress: string): Promise<CrmProcess> {
  return spawnCrm([
    '--cloudlet', 'TDG/edge1', '--notify-addrs', notifyAddress, '--data-dir', dataDir, '--hostname', 'edge1-crm',
    '--fake-latency', 'createAppInst=40ms,deleteAppInst=40ms', '--concurrency', '8', '--orphan-grace', '500ms',
  ]);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `inFlight` count of the restarted CRM's `local state loaded` line: operations the kill interrupted. */
async function interruptedOperations(proc: CrmProcess): Promise<number> {
  let found: number | undefined;
  await waitFor(() => {
    const line = proc.stdout.find((l) => l.includes('"local state loaded"'));
    if (line) found = (JSON.parse(line) as { inFlight: number }).inFlight;
    return found !== undefined;
  }, { timeoutMs: 5000, message: 'local state loaded' });
  return found ?? 0;
}

/**
 * Kills the CRM with SIGKILL `times` times, each after a random 50..250 ms of work, restarting it each time.
 * Returns how many kills interrupted platform operations (journal entries the next start found).
 */
async function killLoop(notifyAddress: string, times: number): Promise<number> {
  let interrupted = 0;
  for (let i = 0; i < times; i++) {
    await pause(50 + Math.random() * 200);
    const exit = await crm!.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    crm = await startCrm(notifyAddress);
    if ((await interruptedOperations(crm)) > 0) interrupted++;
  }
  return interrupted;
}

describe('kill -9 loop', () => {
  it(`${KILLS_PER_PHASE * 2} kills of the CRM process amid ${COUNT} AppInst creates and deletes: 0 duplicates, 0 orphans`, async () => {
    env = await startInstEnv({ crm: false, timeouts: { createMs: 150_000, updateMs: 150_000, deleteMs: 150_000 } });
    const { kinds, objects } = env.ctl.controller;
    for (let i = 0; i < COUNT; i += 100) {
      await objects.write((tx) => {
        for (const name of APPS.slice(i, i + 100)) tx.put(kinds.app, appFixture(name, 'tcp:7000'));
      });
    }
    crm = await startCrm(env.ctl.notifyAddress);
    await waitCloudletInfo(env);
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();

    const creates = Promise.all(APPS.map((app) => env!.createAi(aiRequest(app, 'c1'))));
    expect(await killLoop(env.ctl.notifyAddress, KILLS_PER_PHASE)).toBeGreaterThanOrEqual(2);
    const created = await creates;
    expect(created.filter((o) => o.error)).toEqual([]);
    const appInsts = objects.cache(kinds.appInst);
    expect(appInsts.values().filter((a) => a.state === TrackedState.READY)).toHaveLength(COUNT);

    const deletes = Promise.all(APPS.slice(0, COUNT / 2).map((app) => env!.deleteAi(aiRequest(app, 'c1'))));
    expect(await killLoop(env.ctl.notifyAddress, KILLS_PER_PHASE)).toBeGreaterThanOrEqual(2);
    expect((await deletes).filter((o) => o.error)).toEqual([]);
    await waitFor(() => appInsts.size === COUNT / 2, { timeoutMs: 10_000, message: 'deleted AppInsts gone from the controller' });
    await crm.stop('SIGTERM');
    crm = undefined;

    // What the platform holds now: read its state as the next CRM would.
    const platform = await createFakePlatform({
      cloudletKey: cloudletKeyOf('edge1'), settings: { persist: false }, dataDir: join(dataDir, 'platform'), log: silentLogger(),
    });
    const held = platform.instances();
    await platform.close();
    const wanted = new Set([keyString.clusterInst(ciRequest('c1').key), ...[...appInsts.keys()]]);
    const heldKeys = held.map((i) => i.key);
    expect(new Set(heldKeys).size).toBe(heldKeys.length);
    expect(heldKeys.filter((k) => !wanted.has(k))).toEqual([]); // 0 orphans
    expect([...wanted].filter((k) => !heldKeys.includes(k))).toEqual([]); // nothing missing
    expect(held.every((i) => i.status === 'ready')).toBe(true);
    // 0 duplicates: every instance was created once; a second create would have taken a sequence number past
    // the COUNT + 1 creates (the ClusterInst and the AppInsts).
    expect(held.filter((i) => i.createSeq > COUNT + 1)).toEqual([]);
  }, 240_000);
});
