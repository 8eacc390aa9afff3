// `ctl apply -f` / `ctl delete -f` against a real controller and a real CRM on the fake platform: the example data
// file end to end (created, READY, unchanged, one field updated, show's document round-trips, deleted), invalid
// files (exit 2, nothing sent), failures (exit 1 with the reason), Ctrl-C, the live display and the real cli.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ApiClient, type ApiCallOptions, type ApiStreamOptions, type ServerStreamMethod, type UnaryMethod } from '../../../src/cli/api-client.js';
import { applyFile, deleteFile } from '../../../src/cli/ctl/apply.js';
import type { CtlContext } from '../../../src/cli/ctl/context.js';
import { APPLY_KINDS } from '../../../src/cli/ctl/kinds.js';
import { documentOf, formatDocument } from '../../../src/cli/ctl/output-documents.js';
import { AppInst, AppInstApiService } from '../../../src/gen/edgeproto/app_inst.js';
import { ClusterInst, ClusterInstApiService } from '../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { Flavor, FlavorApiService } from '../../../src/gen/edgeproto/flavor.js';
import { startTestController, type TestController } from '../../helpers/controller-harness.js';
import { REPO_ROOT, spawnCli } from '../../helpers/controller-process.js';
import { startRealCrm, type RealCrm } from '../../helpers/crm-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const EXAMPLE = join(REPO_ROOT, 'examples/demo.yaml');

/** The API client the verbs use, also counting the create/update/delete calls they make. */
class CountingApiClient extends ApiClient {
  readonly changes: string[] = [];

  private count(path: string): void {
    if (/\/(Create|Update|Delete)[A-Za-z]+$/.test(path)) this.changes.push(path);
  }

  override unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options?: ApiCallOptions): Promise<Res> {
    this.count(method.path);
    return super.unary(method, request, options);
  }

  override stream<Req, Res>(method: ServerStreamMethod<Req, Res>, request: Req, options?: ApiStreamOptions<Res>): Promise<Res[]> {
    this.count(method.path);
    return super.stream(method, request, options);
  }
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly changes: readonly string[];
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

let ctl: TestController;
let crm: RealCrm;
let api: CountingApiClient;
let dir: string;

function context(stdout: Writable, stderr: Writable, options: { signal?: AbortSignal; interactive?: boolean } = {}): CtlContext {
  return {
    api, stdout, stderr, interactive: options.interactive ?? false, signal: options.signal ?? new AbortController().signal,
    timeoutMs: 5_000, waitTimeoutMs: 15_000,
  };
}

async function run(verb: 'apply' | 'delete', path: string, options: { signal?: AbortSignal; interactive?: boolean } = {}): Promise<Run> {
  const out = sink();
  const err = sink();
  const before = api.changes.length;
  const code = await (verb === 'apply' ? applyFile : deleteFile)(context(out.stream, err.stream, options), path);
  return { code, stdout: out.text(), stderr: err.text(), changes: api.changes.slice(before) };
}

/** Writes `document` (YAML) into the test's directory; returns its path. */
function dataFile(name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof document === 'string' ? document : stringify(document));
  return path;
}

type Doc = Record<string, Record<string, unknown>[]>;

function example(): Doc {
  return parse(readFileSync(EXAMPLE, 'utf8')) as Doc;
}

/** Every object of the apply kinds the controller holds, as `show -o yaml` prints them (one document). */
async function showDocument(): Promise<string> {
  const document: Record<string, unknown[]> = {};
  for (const kind of APPLY_KINDS) {
    const objects = await api.stream(kind.show, kind.codec.fromPartial({} as never), { timeoutMs: 5_000 });
    if (objects.length > 0) Object.assign(document, documentOf(kind, objects));
  }
  return formatDocument(document, 'yaml');
}

async function appInsts(): Promise<AppInst[]> {
  return api.stream(AppInstApiService.showAppInst, AppInst.fromPartial({}), { timeoutMs: 5_000 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cloudletd-apply-'));
  ctl = await startTestController({ timeouts: { createMs: 10_000, updateMs: 10_000, deleteMs: 10_000 } });
  // A short CRM operation deadline ends the create the Ctrl-C test leaves hanging on the platform.
  crm = await startRealCrm(ctl.notifyAddress, 'hamburg-edge-1', { config: { operationTimeoutMs: 2_000 } });
  api = new CountingApiClient(ctl.apiAddress);
});

afterAll(async () => {
  api?.close();
  await crm?.remove();
  await ctl?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ctl apply -f / delete -f', () => {
  it('applies the example file: every kind created in order, the ClusterInst and AppInst READY', async () => {
    const result = await run('apply', EXAMPLE);
    expect(result.stderr).not.toContain('failed');
    expect(result.stdout).toBe('apply: 9 created, 0 updated, 0 unchanged, 0 failed\n');
    expect(result.code).toBe(0);
    // Kinds in dependency order: one create call per object, the flavors first, the AppInst last.
    expect(result.changes.map((p) => p.split('/').pop())).toEqual([
      'CreateFlavor', 'CreateFlavor', 'CreateOperator', 'CreateDeveloper', 'CreateCloudlet', 'CreateCluster', 'CreateApp',
      'CreateClusterInst', 'CreateAppInst',
    ]);
    expect(result.stderr).toContain('AppInst AcmeGames/arena-server/1.4.2 on TDG/hamburg-edge-1: created\n');
    const [ci] = await api.stream(ClusterInstApiService.showClusterInst, ClusterInst.fromPartial({}), { timeoutMs: 5_000 });
    expect(ci?.state).toBe(TrackedState.READY);
    const [ai] = await appInsts();
    expect(ai?.state).toBe(TrackedState.READY);
  });

  it('a second apply says nothing changed and makes no create or update call', async () => {
    const before = await showDocument();
    const result = await run('apply', EXAMPLE);
    expect(result.stdout).toBe('apply: nothing to change (9 objects unchanged)\n');
    expect(result.code).toBe(0);
    expect(result.changes).toEqual([]);
    expect(await showDocument()).toBe(before);
  });

  it('one changed field is exactly one update, of that field only', async () => {
    const doc = example();
    const medium = doc.flavors?.find((f) => (f.key as { name: string }).name === 'x1.medium');
    if (!medium) throw new Error('example has no x1.medium');
    medium.ram = '6144'; // a decimal string equals a number: only the value counts
    const result = await run('apply', dataFile('ram.yaml', doc));
    expect(result.stdout).toBe('apply: 0 created, 1 updated, 8 unchanged, 0 failed\n');
    expect(result.stderr).toContain('Flavor x1.medium: updated ram\n');
    expect(result.changes).toEqual(['/edgeproto.FlavorApi/UpdateFlavor']);
    const [flavor] = await api.stream(FlavorApiService.showFlavor, Flavor.fromPartial({ key: { name: 'x1.medium' } }), { timeoutMs: 5_000 });
    expect(flavor).toMatchObject({ ram: 6144n, vcpus: 2n, disk: 40n });
    // And back, through the example file.
    expect((await run('apply', EXAMPLE)).stdout).toBe('apply: 0 created, 1 updated, 8 unchanged, 0 failed\n');
  });

  it('the document show -o yaml prints applies as unchanged (output-only fields included)', async () => {
    const text = await showDocument();
    expect(text).toContain('state: READY');
    expect(text).toContain('created_at:');
    const result = await run('apply', dataFile('shown.yaml', text));
    expect(result.stdout).toBe('apply: nothing to change (9 objects unchanged)\n');
    expect(result.changes).toEqual([]);
  });

  it('an output-only field that differs is ignored with a note; enum numbers equal their names', async () => {
    const doc = parse(await showDocument()) as Doc;
    const ai = doc.appinsts?.[0];
    const ci = doc.clusterinsts?.[0];
    if (!ai || !ci) throw new Error('no instances shown');
    ai.uri = 'elsewhere.example';
    ci.ip_access = 3; // IP_ACCESS_SHARED by number
    const result = await run('apply', dataFile('output-only.yaml', { appinsts: [ai], clusterinsts: [ci] }));
    expect(result.stdout).toBe('apply: nothing to change (2 objects unchanged)\n');
    expect(result.stderr).toContain('unchanged (output-only fields differ, ignored: uri)');
    expect(result.changes).toEqual([]);
  });

  it('a field of a kind the controller cannot update fails with the controller\'s reason', async () => {
    const doc = example();
    const ai = doc.appinsts?.[0];
    if (!ai) throw new Error('example has no AppInst');
    ai.flavor = { name: 'x1.large' };
    const result = await run('apply', dataFile('ai-flavor.yaml', { appinsts: [ai] }));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('AppInst AcmeGames/arena-server/1.4.2 on TDG/hamburg-edge-1: failed: flavor.name differs, but update of app instances is not supported');
    expect(result.changes).toEqual(['/edgeproto.AppInstApi/UpdateAppInst']);
  });

  it.each([
    ['an unknown top-level key', 'flavours:\n  - key: {name: x9}\n', 'error: FILE: unknown top-level key "flavours"; allowed: flavors, operators, developers, cloudlets, clusters, apps, clusterinsts, appinsts'],
    ['an unknown field deep in a key', { flavors: [{ key: { name: 'x9' } }], appinsts: [{ key: { app_key: { nmae: 'x' } } }] }, 'error: FILE: invalid appinsts[0].key.app_key.nmae: unknown field of edgeproto.AppKey'],
    ['a wrong type', { flavors: [{ key: { name: 'x9' } }, { key: { name: 'x10' }, ram: 'lots' }] }, 'error: FILE: invalid flavors[1].ram: must be an integer'],
    ['an enum value that does not exist', { flavors: [{ key: { name: 'x9' } }], clusterinsts: [{ key: { cluster_key: { name: 'c' } }, ip_access: 'IP_ACCESS_WIDE' }] }, 'error: FILE: invalid clusterinsts[0].ip_access: must be one of IP_ACCESS_UNKNOWN'],
    ['the same key twice', { flavors: [{ key: { name: 'x9' } }, { key: { name: 'x9' }, ram: 1 }] }, 'error: FILE: invalid flavors[1].key: Flavor x9 is given twice (also as flavors[0])'],
    ['an object without a key', { flavors: [{ key: { name: 'x9' } }], operators: [{}] }, 'error: FILE: invalid operators[0].key: is required'],
    ['a YAML syntax error', 'flavors:\n  - key: {name: x9\n    ram: 1\n', 'error: FILE:3:5: '],
  ])('%s: exit 2 with the place, and nothing is sent', async (_what, content, message) => {
    const path = dataFile('invalid.yaml', content);
    const result = await run('apply', path);
    expect(result.stderr).toContain(message.replace('FILE', path));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    expect(result.changes).toEqual([]);
    const deleted = await run('delete', path);
    expect(deleted.code).toBe(2);
    expect(deleted.changes).toEqual([]);
  });

  it('a missing file: exit 2 naming it', async () => {
    const result = await run('apply', join(dir, 'nope.yaml'));
    expect(result.stderr).toBe(`error: cannot read ${join(dir, 'nope.yaml')}: no such file\n`);
    expect(result.code).toBe(2);
  });

  it('an AppInst of an app that does not exist fails with the controller\'s reason; exit 1', async () => {
    const doc = example();
    const ghost = structuredClone(doc.appinsts?.[0]) as { key: { app_key: { name: string } } };
    ghost.key.app_key.name = 'ghost';
    doc.appinsts?.push(ghost);
    const result = await run('apply', dataFile('ghost.yaml', doc));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^apply: 0 created, 0 updated, 9 unchanged, 1 failed\n {2}AppInst AcmeGames\/ghost\/1\.4\.2 on TDG\/hamburg-edge-1: failed: NOT_FOUND: .*ghost.*\n {2}later kinds were still applied/);
    expect(result.stderr).toContain('AppInst AcmeGames/ghost/1.4.2 on TDG/hamburg-edge-1: failed: NOT_FOUND');
  });

  it('a create the platform fails ends failed with the object\'s errors; applied again it says to delete it', async () => {
    const doc = example();
    doc.apps?.push({ ...doc.apps[0], key: { developer_key: { name: 'AcmeGames' }, name: 'leaderboard', version: '2.1.0' }, access_ports: 'http:8080' });
    const second = structuredClone(doc.appinsts?.[0]) as { key: { app_key: { name: string; version: string } } };
    second.key.app_key = { ...second.key.app_key, name: 'leaderboard', version: '2.1.0' };
    doc.appinsts?.push(second);
    const path = dataFile('leaderboard.yaml', doc);
    crm.platform.script('createAppInst', { fail: { message: 'image pull quota exceeded', code: 'RESOURCE_EXHAUSTED' } });
    try {
      const result = await run('apply', path);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^apply: 1 created, 0 updated, 9 unchanged, 1 failed\n/);
      expect(result.stdout).toContain('AppInst AcmeGames/leaderboard/2.1.0 on TDG/hamburg-edge-1: failed: ');
      expect(result.stdout).toContain('image pull quota exceeded');
      const again = await run('apply', path);
      expect(again.code).toBe(1);
      expect(again.stdout).toContain('exists in state CREATE_ERROR');
      expect(again.stdout).toContain('delete it and apply again');
      expect(again.changes).toEqual([]);
    } finally {
      crm.platform.script('createAppInst', undefined);
    }
    // delete -f of the same file removes it too, and then the example applies it cleanly.
    const removed = await run('delete', dataFile('leaderboard-only.yaml', { appinsts: [second], apps: [doc.apps?.[1]] }));
    expect(removed.stdout).toBe('delete: 2 deleted, 0 absent, 0 failed\n');
    expect(removed.code).toBe(0);
  });

  it('Ctrl-C stops the run: exit 1 with a line saying what was under way', async () => {
    const doc = example();
    const second = structuredClone(doc.appinsts?.[0]) as { key: { cluster_inst_key: { cluster_key: { name: string } } } };
    const ci = structuredClone(doc.clusterinsts?.[0]) as { key: { cluster_key: { name: string } } };
    ci.key.cluster_key.name = 'acme-games-2';
    second.key.cluster_inst_key.cluster_key.name = 'acme-games-2';
    const path = dataFile('hang.yaml', { clusterinsts: [ci], appinsts: [second] });
    crm.platform.script('createClusterInst', { hang: true });
    const abort = new AbortController();
    try {
      const running = run('apply', path, { signal: abort.signal });
      await waitFor(async () => {
        const [found] = await api.stream(ClusterInstApiService.showClusterInst, ClusterInst.fromPartial({ key: { cluster_key: { name: 'acme-games-2' } } }), { timeoutMs: 5_000 });
        return found?.state === TrackedState.CREATING;
      }, { timeoutMs: 10_000, message: 'ClusterInst acme-games-2 CREATING' });
      abort.abort();
      const result = await running;
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/\nerror: CANCELLED: apply interrupted: stopped ClusterInst acme-games-2 on TDG\/hamburg-edge-1 \(.+\); nothing finished; 1 object not started\n$/);
      expect(result.changes.map((p) => p.split('/').pop())).toEqual(['CreateClusterInst']);
    } finally {
      crm.platform.script('createClusterInst', undefined);
    }
    // The CRM's own deadline ends the hanging create; delete -f then cleans up whatever is left.
    await waitFor(async () => {
      const [found] = await api.stream(ClusterInstApiService.showClusterInst, ClusterInst.fromPartial({ key: { cluster_key: { name: 'acme-games-2' } } }), { timeoutMs: 5_000 });
      return found === undefined || found.state === TrackedState.READY || found.state === TrackedState.CREATE_ERROR;
    }, { timeoutMs: 15_000, intervalMs: 100, message: 'ClusterInst acme-games-2 settled' });
    // The ClusterInst's create also made its Cluster.
    const cleaned = await run('delete', dataFile('hang-delete.yaml', { clusterinsts: [ci], appinsts: [second], clusters: [{ key: ci.key.cluster_key }] }));
    expect(cleaned.stdout).toMatch(/^delete: 2 deleted, 1 absent, 0 failed\n$/);
    expect(cleaned.code).toBe(0);
  });

  it('the live display (a terminal) runs the same and ends with the summary', async () => {
    const result = await run('apply', EXAMPLE, { interactive: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('apply: nothing to change (9 objects unchanged)\n');
    expect(result.stderr).toContain('AppInst AcmeGames/arena-server/1.4.2 on TDG/hamburg-edge-1: unchanged');
  });

  it('the real cli: ctl show -o yaml then ctl apply -f of that output changes nothing', async () => {
    const shown = spawnCli(['ctl', 'show', 'appinst', '-o', 'yaml', '--addr', ctl.apiAddress]);
    expect((await shown.exited).code).toBe(0);
    const path = dataFile('cli-shown.yaml', shown.stdout.join('\n'));
    expect(readFileSync(path, 'utf8')).toContain('appinsts:');
    const applied = spawnCli(['ctl', 'apply', '-f', path, '--addr', ctl.apiAddress]);
    const exit = await applied.exited;
    expect(applied.stderr()).not.toContain('error');
    expect(applied.stdout).toContain('apply: nothing to change (1 object unchanged)');
    expect(exit.code).toBe(0);
    const usage = spawnCli(['ctl', 'apply', '-f', join(dir, 'nope.yaml'), '--addr', ctl.apiAddress]);
    expect((await usage.exited).code).toBe(2);
    expect(usage.stderr()).toContain('no such file');
  }, 60_000);

  it('delete -f removes everything in reverse order and waits until the instances are gone; again: nothing to delete', async () => {
    const result = await run('delete', EXAMPLE);
    expect(result.stdout).toBe('delete: 9 deleted, 0 absent, 0 failed\n');
    expect(result.code).toBe(0);
    expect(result.changes.map((p) => p.split('/').pop())).toEqual([
      'DeleteAppInst', 'DeleteClusterInst', 'DeleteApp', 'DeleteCluster', 'DeleteCloudlet', 'DeleteDeveloper', 'DeleteOperator', 'DeleteFlavor', 'DeleteFlavor',
    ]);
    expect(await appInsts()).toEqual([]);
    expect(crm.platform.calls.filter((c) => c.op === 'deleteAppInst').length).toBeGreaterThan(0);
    const again = await run('delete', EXAMPLE);
    expect(again.stdout).toBe('delete: nothing to delete (9 objects absent)\n');
    expect(again.code).toBe(0);
    expect(again.changes).toEqual([]);
  });
});
