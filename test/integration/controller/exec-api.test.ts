import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecRequest } from '../../../src/gen/edgeproto/exec.js';
import { putStored } from '../../helpers/catalog-clients.js';
import { cloudletClients, startExecCrm, type CloudletClients, type ExecCrm } from '../../helpers/cloudlet-clients.js';
import { call, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { appInst, cloudletInfo } from '../../helpers/edgeproto-fixtures.js';
import { waitFor } from '../../helpers/wait-for.js';

let ctl: TestController;
let api: CloudletClients;
let crms: ExecCrm[] = [];
afterEach(async () => {
  await Promise.all(crms.map((c) => c.stop()));
  crms = [];
  api.close();
  await ctl.close();
});

const berlinInst = appInst('Face', 'big', 'berlin-1');
const hamburgInst = appInst('Face', 'big', 'hamburg-1');

async function start(execTimeoutMs?: number): Promise<void> {
  ctl = await startTestController(execTimeoutMs === undefined ? {} : { execTimeoutMs });
  api = cloudletClients(ctl.apiAddress);
  await putStored(ctl, ctl.controller.kinds.appInst, berlinInst, hamburgInst);
}

/** A CRM for `name` that answers with its own cloudlet name, once the controller routes by its CloudletInfo. */
async function crmFor(name: string, answer?: (r: ExecRequest) => Partial<ExecRequest> | undefined): Promise<ExecCrm> {
  const crm = startExecCrm(ctl.notifyAddress, [cloudletInfo(name)], answer ?? ((r) => ({ answer: `${name}: ran ${r.command}` })));
  crms.push(crm);
  const key = ctl.controller.kinds.cloudletInfo.keyOf(cloudletInfo(name));
  await waitFor(() => ctl.controller.notify.peerSummaries().some((p) => p.cloudletKeys.includes(key)));
  return crm;
}

const run = (request: Partial<ExecRequest>) => call<ExecRequest, ExecRequest>(api.exec.runCommand.bind(api.exec), ExecRequest.fromPartial(request));

describe('ExecApi.RunCommand', () => {
  it('routes the request to the CRM of the AppInst\'s cloudlet and returns its answer', async () => {
    await start();
    const berlin = await crmFor('berlin-1');
    const hamburg = await crmFor('hamburg-1');
    const reply = await run({ app_inst_key: hamburgInst.key, command: 'ls -l', container_id: 'c1' });
    expect(reply).toMatchObject({ answer: 'hamburg-1: ran ls -l', command: 'ls -l', container_id: 'c1' });
    expect(reply.offer).toMatch(/^cloudletd-exec-/);
    expect(reply.err).toBeUndefined();
    expect(hamburg.received).toHaveLength(1);
    expect(berlin.received).toHaveLength(0);
    const again = await run({ app_inst_key: berlinInst.key, command: 'date', offer: 'my-offer' });
    expect(again).toMatchObject({ answer: 'berlin-1: ran date', offer: 'my-offer' });
    expect(ctl.controller.notify.peerSummaries()).toHaveLength(2);
  });

  it('runs concurrent commands, each matched to its own reply by offer', async () => {
    await start();
    await crmFor('berlin-1', (r) => ({ answer: `out of ${r.command}` }));
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => run({ app_inst_key: berlinInst.key, command: `echo ${i}` })));
    expect(replies.map((r) => r.answer)).toEqual(Array.from({ length: 20 }, (_, i) => `out of echo ${i}`));
    expect(new Set(replies.map((r) => r.offer)).size).toBe(20);
  });

  it('returns a reply with err set as it came (as the original)', async () => {
    await start();
    await crmFor('berlin-1', () => ({ err: 'container c9 not found' }));
    const reply = await run({ app_inst_key: berlinInst.key, command: 'ls', container_id: 'c9' });
    expect(reply).toMatchObject({ err: 'container c9 not found', answer: '' });
  });

  it('fails DEADLINE_EXCEEDED when the CRM does not answer in time', async () => {
    await start(150);
    const silent = await crmFor('berlin-1', () => undefined);
    const started = performance.now();
    expect(await failure(run({ app_inst_key: berlinInst.key, command: 'ls', offer: 'o-1' }))).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      details: expect.stringMatching(/exec offer o-1: no one answered within 150 ms/) as string,
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(silent.received).toHaveLength(1);
  });

  it('stops waiting when the client gives up, so the offer can be used again', async () => {
    await start();
    let calls = 0;
    await crmFor('berlin-1', () => (++calls === 1 ? undefined : { answer: 'second time' }));
    const request = ExecRequest.fromPartial({ app_inst_key: berlinInst.key, command: 'ls', offer: 'same' });
    const gaveUp = new Promise((resolve, reject) => {
      api.exec.runCommand(request, new grpc.Metadata(), { deadline: Date.now() + 100 }, (err, res) => (err ? reject(err) : resolve(res)));
    });
    expect(await failure(gaveUp)).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    // the server sees the cancellation a moment after the client: retry while the offer is still taken
    expect(await waitFor(() => run(request))).toMatchObject({ answer: 'second time', offer: 'same' });
  });

  it('fails UNAVAILABLE when no CRM of that cloudlet is connected', async () => {
    await start();
    await crmFor('berlin-1');
    expect(await failure(run({ app_inst_key: hamburgInst.key, command: 'ls' }))).toMatchObject({
      code: 'UNAVAILABLE',
      details: 'no CRM connected for cloudlet hamburg-1 of operator TDG',
    });
  });

  it('validates the command and the AppInst', async () => {
    await start();
    expect(await failure(run({ app_inst_key: berlinInst.key, command: ' ' }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: 'invalid command: must not be empty' });
    const missing = appInst('Nope', 'big', 'berlin-1').key;
    expect(await failure(run({ app_inst_key: missing, command: 'ls' }))).toMatchObject({
      code: 'NOT_FOUND',
      details: 'app instance Nope 1.0 of Acme on cluster big not found',
    });
  });

  it('refuses SendLocalRequest as UNIMPLEMENTED, naming it', async () => {
    await start();
    expect(await failure(call(api.exec.sendLocalRequest.bind(api.exec), ExecRequest.fromPartial({ command: 'ls' })))).toMatchObject({
      code: 'UNIMPLEMENTED',
      details: 'ExecApi.SendLocalRequest not implemented',
    });
  });
});
