import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spawnCli } from '../../helpers/controller-process.js';
import { startInstEnv, type InstEnv } from '../../helpers/inst-env.js';

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cloudletd ctl <argv>` as a child process with `env` added. */
async function ctl(argv: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  const proc = spawnCli(['ctl', ...argv], env);
  const exit = await proc.exited;
  return { code: exit.code, stdout: proc.stdout.map((l) => `${l}\n`).join(''), stderr: proc.stderr() };
}

describe('cloudletd ctl (child process, real controller)', () => {
  let env: InstEnv;
  let addr: Record<string, string>;
  beforeAll(async () => {
    env = await startInstEnv({ crm: false });
    addr = { CLOUDLETD_CTL_ADDR: env.ctl.apiAddress };
  });
  afterAll(async () => env.close());

  it('exit codes 0, 1 and 2; the address from CLOUDLETD_CTL_ADDR or --addr (after the verb); help; a ClusterInst with IGNORE_CRM; -o json/yaml', async () => {
    const ci = ['cluster=p1', 'operator=TDG', 'cloudlet=edge1', 'developer=Acme'];
    const [created, createdCi, help, badField, duplicate] = await Promise.all([
      ctl(['create', 'flavor', 'name=x2.small', 'ram=2048', 'vcpus=2', 'disk=20'], addr),
      ctl(['create', 'clusterinst', ...ci, 'flavor=x1.small', 'num_masters=1', 'num_nodes=1', 'crm_override=IGNORE_CRM'], addr),
      ctl(['--help']),
      ctl(['create', 'flavor', 'name=x', 'colour=red'], addr),
      ctl(['create', 'flavor', 'name=x1.small', 'ram=1024', 'vcpus=1', 'disk=10'], addr),
    ]);
    expect(created).toEqual({ code: 0, stdout: 'Flavor x2.small: created\n', stderr: '' });
    expect(createdCi).toMatchObject({ code: 0, stdout: 'ClusterInst p1 on TDG/edge1: created\n' });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: cloudletd ctl /);
    expect(help.stdout).toContain('CLOUDLETD_CTL_WAIT_TIMEOUT');
    expect(badField).toEqual({ code: 2, stdout: '', stderr: 'error: invalid colour: unknown field of edgeproto.Flavor\nsee: cloudletd ctl create flavor --help\n' });
    expect(duplicate).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: ALREADY_EXISTS: .*x1\.small.*\n$/) as string });

    const [json, yaml] = await Promise.all([ctl(['show', 'clusterinst', '-o', 'json'], addr), ctl(['show', 'flavor', '-o', 'yaml', '--addr', env.ctl.apiAddress])]);
    const shown = JSON.parse(json.stdout) as { clusterinsts: Record<string, unknown>[] };
    expect(shown.clusterinsts).toMatchObject([{ key: { cluster_key: { name: 'p1' } }, state: 'READY', num_nodes: 1 }]);
    expect(shown.clusterinsts[0]).not.toHaveProperty('fields');
    expect(parse(yaml.stdout)).toEqual({
      flavors: expect.arrayContaining([{ key: { name: 'x2.small' }, ram: '2048', vcpus: '2', disk: '20' }]) as unknown,
    });
    const [deleted, missing] = await Promise.all([
      ctl(['delete', 'clusterinst', ...ci, 'crm_override=IGNORE_CRM'], addr),
      ctl(['delete', 'app', 'developer=Acme', 'appname=nothing', 'appvers=1.0'], addr),
    ]);
    expect(deleted).toMatchObject({ code: 0, stdout: 'ClusterInst p1 on TDG/edge1: deleted\n' });
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: NOT_FOUND: .*nothing.*\n$/) as string });
  }, 60_000); // 9 child processes, each about 1 s of tsx start-up
});
