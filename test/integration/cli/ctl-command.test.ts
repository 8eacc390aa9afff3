import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ApiClient } from '../../../src/cli/api-client.js';
import type { CtlContext } from '../../../src/cli/ctl/context.js';
import { ctlCommand } from '../../../src/cli/ctl/ctl-command.js';
import { findKind, type CtlKind } from '../../../src/cli/ctl/kinds.js';
import { waitTracked } from '../../../src/cli/ctl/wait-tracked.js';
import { bodyFromText, requestObject } from '../../../src/cli/ctl/object-body.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { ClusterInst } from '../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { startTestController, type TestController } from '../../helpers/controller-harness.js';
import { startRealCrm, waitCloudletInfo } from '../../helpers/crm-harness.js';
import { ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';

interface CtlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

/** Runs `cloudletd ctl <argv>` in this process against `addr` (given through CLOUDLETD_CTL_ADDR). */
async function ctl(addr: string, argv: readonly string[], signal: AbortSignal = new AbortController().signal): Promise<CtlRun> {
  const out = sink();
  const err = sink();
  const code = await ctlCommand.run({
    argv, env: { CLOUDLETD_CTL_ADDR: addr }, stdout: out.stream, stderr: err.stream, signal, createLogger: () => silentLogger(),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

const dir = mkdtempSync(join(tmpdir(), 'cloudletd-ctl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cloudletd ctl on catalog objects and a cloudlet (real controller)', () => {
  let server: TestController;
  let run: (...argv: string[]) => Promise<CtlRun>;
  beforeAll(async () => {
    server = await startTestController();
    run = (...argv) => ctl(server.apiAddress, argv);
  });
  afterAll(async () => server.close());

  it('creates, shows, updates and deletes, printing one outcome line per object', async () => {
    const created = await Promise.all([
      run('create', 'operator', 'name=TDG'),
      run('create', 'developer', 'name=Acme', 'email=ops@acme.example'),
      run('create', 'flavor', 'name=x1.small', 'ram=1024', 'vcpus=1', 'disk=10'),
    ]);
    expect(created.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
      [0, 'Operator TDG: created\n', ''], [0, 'Developer Acme: created\n', ''], [0, 'Flavor x1.small: created\n', ''],
    ]);
    const cloudlet = await run('create', 'cloudlet', 'operator=TDG', 'name=berlin', 'location.latitude=52.52', 'location.longitude=13.405',
      'ip_support=dynamic', 'num_dynamic_ips=10');
    expect(cloudlet).toMatchObject({ code: 0, stdout: 'Cloudlet TDG/berlin: created\n' });
    expect(cloudlet.stderr).toMatch(/^Cloudlet TDG\/berlin: /); // the streamed Result messages, plain lines (not a TTY)
    expect(await run('create', 'cluster', 'name=c1', 'flavor=x1.small')).toMatchObject({ code: 0, stdout: 'Cluster c1: created\n' });
    const app = await run('create', 'app', 'developer=Acme', 'appname=game', 'appvers=1.0', 'image_type=docker',
      'image_path=registry.example.com/acme/game:1.0', 'access_ports=tcp:7777,udp:7778', 'flavor=x1.small', 'deployment=kubernetes');
    expect(app).toMatchObject({ code: 0, stdout: 'App Acme/game/1.0: created\n' });

    expect((await run('show', 'cloudlet')).stdout).toBe([
      'OPERATOR  NAME    LATITUDE  LONGITUDE  IP SUPPORT          DYNAMIC IPS',
      'TDG       berlin  52.52     13.405     IP_SUPPORT_DYNAMIC  10',
      '',
    ].join('\n'));
    expect((await run('update', 'flavor', 'name=x1.small', 'ram=2048')).stdout).toBe('Flavor x1.small: updated\n');
    expect((await run('update', 'cloudlet', 'operator=TDG', 'cloudlet=berlin', 'num_dynamic_ips=20')).stdout).toBe('Cloudlet TDG/berlin: updated\n');
    const shown = await Promise.all([run('show', 'flavor'), run('show', 'cloudlet', '-o', 'json'), run('show', 'app', 'appname=nothing'), run('show', 'app', 'developer=Acme')]);
    expect(shown[0].stdout).toBe('NAME      RAM(MB)  VCPUS  DISK(GB)\nx1.small  2048     1      10\n');
    expect(JSON.parse(shown[1].stdout)).toEqual({
      cloudlets: [{
        key: { operator_key: { name: 'TDG' }, name: 'berlin' }, location: { latitude: 52.52, longitude: 13.405 },
        ip_support: 'IP_SUPPORT_DYNAMIC', num_dynamic_ips: 20,
      }],
    });
    expect(shown[2].stdout).toBe('No apps found.\n');
    expect(shown[3].stdout).toMatch(/^DEVELOPER +NAME +VERSION +IMAGE +DEPLOYMENT +PORTS +FLAVOR\nAcme +game +1\.0 +registry\.example\.com\/acme\/game:1\.0 +kubernetes +tcp:7777,udp:7778 +x1\.small\n$/);
  });

  it('-o json and -o yaml read back (also as a -f body) into the objects the controller holds', async () => {
    const [json, yaml] = await Promise.all([run('show', 'app', '-o', 'json'), run('show', 'app', '-o', 'yaml')]);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    const kind = findKind('app')!;
    const apps = (JSON.parse(json.stdout) as { apps: unknown[] }).apps.map((a) => requestObject(kind, [], bodyFromText(kind, JSON.stringify(a), 'x')).message);
    const fromApi = server.controller.objects.cache(server.controller.kinds.app).values();
    expect(apps).toEqual(fromApi.map((a) => ({ ...a, fields: [] })));
    // The YAML document of one object is a -f body: update with it, key from the file, one field from the arguments.
    const file = join(dir, 'app.yaml');
    writeFileSync(file, yaml.stdout);
    expect(await run('update', 'app', '-f', file, 'image_path=registry.example.com/acme/game:1.1')).toMatchObject({ code: 0, stdout: 'App Acme/game/1.0: updated\n' });
    expect((await run('show', 'app', '-o', 'yaml')).stdout).toContain('image_path: registry.example.com/acme/game:1.1\n');
  });

  it('exits 1 with one error line naming the gRPC code when the controller refuses', async () => {
    const [missing, duplicate, inUse, invalid] = await Promise.all([
      run('delete', 'flavor', 'name=x9.huge'),
      run('create', 'operator', 'name=TDG'),
      run('delete', 'flavor', 'name=x1.small'),
      run('create', 'flavor', 'name=bad', 'ram=1'),
    ]);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'error: NOT_FOUND: flavor x9.huge not found\n' });
    expect(duplicate).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: ALREADY_EXISTS: .*TDG.*\n$/) as string });
    expect(inUse).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: FAILED_PRECONDITION: /) as string });
    expect(invalid).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: INVALID_ARGUMENT: invalid vcpus/) as string });
    const down = await ctl('127.0.0.1:1', ['show', 'flavor', '--timeout', '2s']);
    expect(down).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: UNAVAILABLE: .*ECONNREFUSED/) as string });
  });

  it('exits 2 on a usage error before anything is sent, with the error and where to find help', async () => {
    const cases: [string[], string][] = [
      [['create', 'app', 'key.nme=x'], 'error: invalid key.nme: unknown field of edgeproto.AppKey\nsee: cloudletd ctl create app --help\n'],
      [['update', 'flavor', 'name=x1.small'], 'error: nothing to update: give at least one field of Flavor besides its key\nsee: cloudletd ctl update flavor --help\n'],
      [['create', 'cloudlet', 'location.latitude=north'], 'error: invalid location.latitude: must be a number, not string "north"\nsee: cloudletd ctl create cloudlet --help\n'],
      [['show', 'clusterinst', 'state=BROKEN'], 'error: invalid state: must be one of TRACKED_STATE_UNKNOWN, NOT_PRESENT, CREATE_REQUESTED, CREATING, CREATE_ERROR, READY, UPDATE_REQUESTED, UPDATING, UPDATE_ERROR, DELETE_REQUESTED, DELETING, DELETE_ERROR, DELETE_PREPARE (or its number), not string "BROKEN"\nsee: cloudletd ctl show clusterinst --help\n'],
      [['delete', 'node', 'name=x'], 'error: delete node: node supports show only\nsee: cloudletd ctl delete node --help\n'],
      [['frob', 'flavor'], 'error: frob: unknown verb; use one of create, update, delete, show, apply\nsee: cloudletd ctl --help\n'],
      [['create', 'flavor', '-f', join(dir, 'absent.yaml')], `error: invalid -f ${join(dir, 'absent.yaml')}: no such file\nsee: cloudletd ctl create flavor --help\n`],
    ];
    for (const [argv, stderr] of cases) expect(await ctl('127.0.0.1:1', argv), argv.join(' ')).toEqual({ code: 2, stdout: '', stderr });
  });

  it('prints help at every level on stdout with exit 0', async () => {
    const [top, verb, kind] = await Promise.all([run('--help'), run('show', '-h'), run('update', 'cloudlet', '--help')]);
    expect(top).toMatchObject({ code: 0, stderr: '' });
    expect(top.stdout).toMatch(/^usage: cloudletd ctl /);
    expect(verb.stdout).toMatch(/^usage: cloudletd ctl show <kind>/);
    expect(kind.stdout).toMatch(/^ {2}location\.latitude +double$/m);
    expect(kind.stdout).toMatch(/^ {2}operator= +key\.operator_key\.name$/m);
  });
});

describe('cloudletd ctl on ClusterInsts and AppInsts', () => {
  let env: InstEnv;
  let run: (...argv: string[]) => Promise<CtlRun>;
  beforeAll(async () => {
    env = await startInstEnv();
    run = (...argv) => ctl(env.ctl.apiAddress, argv);
  });
  afterAll(async () => env.close());

  const ciArgs = (cluster: string, cloudlet = 'edge1'): string[] => [`cluster=${cluster}`, 'operator=TDG', `cloudlet=${cloudlet}`, 'developer=Acme'];
  const aiArgs = (cluster: string, cloudlet = 'edge1'): string[] => [
    'developer=Acme', 'appname=game', 'appvers=1.0', `cluster=${cluster}`, 'operator=TDG', `cloudlet=${cloudlet}`, 'clusterdeveloper=Acme',
  ];

  it('with crm_override=IGNORE_CRM: created READY, shown, deleted', async () => {
    const ci = await run('create', 'clusterinst', ...ciArgs('c0', 'edge2'), 'flavor=x1.small', 'num_masters=1', 'num_nodes=1', 'crm_override=IGNORE_CRM');
    expect(ci).toMatchObject({ code: 0, stdout: 'ClusterInst c0 on TDG/edge2: created\n' });
    const ai = await run('create', 'appinst', ...aiArgs('c0', 'edge2'), 'crm_override=IGNORE_CRM');
    expect(ai).toMatchObject({ code: 0, stdout: 'AppInst Acme/game/1.0 on TDG/edge2: created\n' });
    const shown = await run('show', 'appinst', 'cloudlet=edge2');
    expect(shown.stdout).toMatch(/^DEVELOPER +APP +VERSION +CLUSTER +OPERATOR +CLOUDLET +STATE +URI +ERRORS\nAcme +game +1\.0 +c0 +TDG +edge2 +READY +\S+\n$/);
    const yaml = parse((await run('show', 'clusterinst', 'cloudlet=edge2', '-o', 'yaml')).stdout) as { clusterinsts: { state: string; num_nodes: number }[] };
    expect(yaml.clusterinsts).toMatchObject([{ state: 'READY', num_nodes: 1 }]);
    expect(await run('delete', 'appinst', ...aiArgs('c0', 'edge2'), 'crm_override=IGNORE_CRM')).toMatchObject({ code: 0, stdout: 'AppInst Acme/game/1.0 on TDG/edge2: deleted\n' });
    expect(await run('delete', 'clusterinst', ...ciArgs('c0', 'edge2'), 'crm_override=IGNORE_CRM')).toMatchObject({ code: 0, stdout: 'ClusterInst c0 on TDG/edge2: deleted\n' });
    expect((await run('show', 'clusterinst', 'cloudlet=edge2')).stdout).toBe('No clusterinsts found.\n');
  });

  it('through a CRM: progress on stderr, READY; *_ERROR exits 1 with the errors; the wait has a deadline; a signal interrupts', async () => {
    const ci = await run('create', 'clusterinst', ...ciArgs('c1'), 'flavor=x1.small', 'num_masters=1', 'num_nodes=1');
    expect(ci).toMatchObject({ code: 0, stdout: 'ClusterInst c1 on TDG/edge1: created\n' });
    expect(ci.stderr).toMatch(/^ClusterInst c1 on TDG\/edge1: /m);
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.clusterInst).get(keyString.clusterInst(ciRequest('c1').key))?.state).toBe(TrackedState.READY);
    const ai = await run('create', 'appinst', ...aiArgs('c1'));
    expect(ai).toMatchObject({ code: 0, stdout: 'AppInst Acme/game/1.0 on TDG/edge1: created\n' });
    expect(await run('delete', 'appinst', ...aiArgs('c1'))).toMatchObject({ code: 0, stdout: 'AppInst Acme/game/1.0 on TDG/edge1: deleted\n' });

    env.crm!.modes.create = 'error';
    const failed = await run('create', 'clusterinst', ...ciArgs('c2'), 'flavor=x1.small', 'num_masters=1', 'num_nodes=1');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^error: .*fake create failed/m);
    // The wait after a stream that ended: an object in *_ERROR ends it with that state and the object's errors.
    const api = new ApiClient(env.ctl.apiAddress);
    const context: CtlContext = { api, stdout: sink().stream, stderr: sink().stream, interactive: false, signal: new AbortController().signal, timeoutMs: 5000 };
    const states: string[] = [];
    const kind = findKind('clusterinst') as CtlKind<ClusterInst>;
    expect(await waitTracked(context, kind, ciRequest('c2'), 'ready', AbortSignal.timeout(5000), (s) => states.push(s)))
      .toEqual({ ok: false, state: 'CREATE_ERROR', errors: ['fake create failed'] });
    expect(await waitTracked(context, kind, ciRequest('c1'), 'ready', AbortSignal.timeout(5000), (s) => states.push(s))).toEqual({ ok: true });
    expect(await waitTracked(context, kind, ciRequest('nope'), 'gone', AbortSignal.timeout(5000), (s) => states.push(s))).toEqual({ ok: true });
    expect(states).toEqual([]);
    api.close();

    env.crm!.modes.create = 'silent';
    const slow = await run('create', 'clusterinst', ...ciArgs('c3'), 'flavor=x1.small', 'num_masters=1', 'num_nodes=1', '--wait-timeout', '300ms');
    expect(slow).toMatchObject({ code: 1, stdout: '' });
    expect(slow.stderr).toMatch(/^error: DEADLINE_EXCEEDED: ClusterInst c3 on TDG\/edge1: not READY within 300ms; see --wait-timeout\n$/m);

    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('received SIGINT')), 300);
    const hung = await ctl(env.ctl.apiAddress, ['create', 'clusterinst', ...ciArgs('c4'), 'flavor=x1.small', 'num_masters=1', 'num_nodes=1'], interrupt.signal);
    expect(hung).toEqual({ code: 1, stdout: '', stderr: 'error: CANCELLED: interrupted (received SIGINT)\n' });
  });

  it('with a real CRM on the fake platform: a ClusterInst becomes READY and is deleted', async () => {
    const crm = await startRealCrm(env.ctl.notifyAddress, 'edge2');
    try {
      await waitCloudletInfo(env, 'edge2');
      const created = await run('create', 'clusterinst', ...ciArgs('r1', 'edge2'), 'flavor=x1.small', 'num_masters=1', 'num_nodes=1');
      expect(created).toMatchObject({ code: 0, stdout: 'ClusterInst r1 on TDG/edge2: created\n' });
      expect((await run('show', 'clusterinst', 'cluster=r1')).stdout).toMatch(/\nr1 +TDG +edge2 +Acme +x1\.small +1 +READY\n$/);
      expect(crm.platform.instances().map((i) => i.kind)).toEqual(['ClusterInst']);
      expect(await run('delete', 'clusterinst', ...ciArgs('r1', 'edge2'))).toMatchObject({ code: 0, stdout: 'ClusterInst r1 on TDG/edge2: deleted\n' });
      expect(crm.platform.instances()).toEqual([]);
    } finally {
      await crm.remove();
    }
  });
});
