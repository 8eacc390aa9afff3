/** The fake platform's features: exec (a small deterministic shell), logs and runtime. */
import { afterEach, describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { runFakeCommand, type FakeContainer, type FakePlatform } from '../../../../platforms/fake/index.js';
import { expectCode } from '../../../contract/contract-helpers.js';
import { openFake, opCtx, specs, tempDirs } from './fixtures/fake-specs.js';

const container: FakeContainer = {
  appName: 'Web_App',
  appVersion: '1.0',
  developer: 'acme',
  image: 'registry.example/web:1.0',
  containerId: 'fake-0123456789ab-0',
  createdAt: '2024-05-01T10:00:00.000Z',
};

describe('runFakeCommand', () => {
  it.each([
    ['echo hello   world', 'hello world\n', 0],
    ['echo', '\n', 0],
    ['hostname', 'web-app-fake-0123456789ab-0\n', 0],
    ['cat /etc/hostname', 'web-app-fake-0123456789ab-0\n', 0],
    ['cat /etc/shadow', 'cat: /etc/shadow: No such file or directory\n', 1],
    ['ls', 'bin\ndev\netc\nhome\nproc\nroot\nsys\ntmp\nusr\nvar\n', 0],
    ['ls /', 'bin\ndev\netc\nhome\nproc\nroot\nsys\ntmp\nusr\nvar\n', 0],
    ['ls /etc/', 'hostname\nhosts\nos-release\n', 0],
    ['ls /nope', "ls: cannot access '/nope': No such file or directory\n", 2],
    ['date', '2024-05-01T10:00:00.000Z\n', 0],
    ['pwd', '/\n', 0],
    ['whoami', 'root\n', 0],
    ['true', '', 0],
    ['false', '', 1],
    ['exit', '', 0],
    ['exit 3', '', 3],
    ['exit 300', '', 44],
    ['exit x', 'sh: exit: Illegal number: x\n', 2],
    ['', '', 0],
    ['rm -rf /', 'sh: rm: not found\n', 127],
  ])('%j prints %j and exits %i', (command, output, exitCode) => {
    expect(runFakeCommand(container, command)).toEqual({ output, exitCode });
  });

  it('env lists deterministic variables including the app name', () => {
    const { output, exitCode } = runFakeCommand(container, 'env');
    expect(exitCode).toBe(0);
    expect(output).toContain('APP_NAME=Web_App\n');
    expect(output).toContain('HOSTNAME=web-app-fake-0123456789ab-0\n');
    expect(runFakeCommand(container, 'env')).toEqual({ output, exitCode });
  });
});

describe('FakePlatform features', () => {
  const dirs = tempDirs();
  const opened: FakePlatform[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
    dirs.cleanup();
  });

  async function deployed(now: () => number = Date.now) {
    const p = await openFake(dirs.make(), {}, { now });
    opened.push(p);
    const cluster = specs.cluster('c');
    const app = specs.app('web', cluster.clusterInst, { ramMb: 2048 });
    await p.createClusterInst(cluster, opCtx());
    const runtime = await p.createAppInst(app, opCtx());
    return { p, app, runtime, exec: p.features().exec!, logs: p.features().logs!, rt: p.features().runtime! };
  }

  it('announces exec, logs and runtime, the same objects every time', async () => {
    const { p } = await deployed();
    expect(Object.keys(p.features()).sort()).toEqual(['exec', 'logs', 'runtime']);
    expect(p.features()).toBe(p.features());
  });

  it('exec runs in the AppInst container; NOT_FOUND for a missing AppInst or container; honors scripts', async () => {
    const { p, app, runtime, exec } = await deployed();
    const run = (command: string, containerId = '') => exec.run({ key: app.key, appInst: app.appInst, command, containerId }, opCtx());
    expect(await run('hostname')).toEqual({ output: `web-${runtime.containerIds[0]}\n`, exitCode: 0 });
    expect(await run('echo hi', runtime.containerIds[0])).toEqual({ output: 'hi\n', exitCode: 0 });
    await expectCode(run('echo hi', 'other'), Code.NOT_FOUND);
    const missing = specs.app('gone', undefined);
    await expectCode(exec.run({ key: missing.key, appInst: missing.appInst, command: 'ls', containerId: '' }, opCtx()), Code.NOT_FOUND);
    p.script('exec', { fail: { message: 'exec unavailable', code: Code.UNAVAILABLE } });
    await expectCode(run('ls'), Code.UNAVAILABLE);
    p.script('exec', undefined);
    p.breakInstance(app.key, 'container exited');
    await expectCode(run('ls'), Code.FAILED_PRECONDITION);
    expect(p.callCount('exec')).toBe(6);
  });

  it('logs tails a deterministic log with a line per exec', async () => {
    const { app, runtime, exec, logs } = await deployed(() => Date.parse('2024-05-01T10:00:00Z'));
    await exec.run({ key: app.key, appInst: app.appInst, command: 'echo one', containerId: '' }, opCtx());
    await exec.run({ key: app.key, appInst: app.appInst, command: 'exit 4', containerId: '' }, opCtx());
    const id = runtime.containerIds[0]!;
    expect(await logs.tail(app.key, 0, opCtx())).toBe(
      [
        '2024-05-01T10:00:00.000Z pulled registry.example/web:1.0',
        `2024-05-01T10:00:00.000Z started container ${id}`,
        '2024-05-01T10:00:00.000Z web 1.0 ready',
        `exec ${id}: echo one (exit 0)`,
        `exec ${id}: exit 4 (exit 4)`,
        '',
      ].join('\n'),
    );
    expect(await logs.tail(app.key, 1, opCtx())).toBe(`exec ${id}: exit 4 (exit 4)\n`);
    await expectCode(logs.tail(specs.app('gone', undefined).key, 5, opCtx()), Code.NOT_FOUND);
  });

  it('runtime reports the containers and usage that grows with time, memory from the flavor', async () => {
    let clock = Date.parse('2024-05-01T10:00:00Z');
    const { p, app, runtime, rt } = await deployed(() => clock);
    clock += 100_000;
    expect(await rt.appInstRuntime(app.key, opCtx())).toEqual({
      containerIds: runtime.containerIds,
      cpuSeconds: 5,
      memoryBytes: 1024 * 1024 * 1024,
      networkRxBytes: 204_800,
      networkTxBytes: 102_400,
    });
    const controller = new AbortController();
    controller.abort();
    await expectCode(rt.appInstRuntime(app.key, opCtx(controller.signal)), Code.CANCELLED);
    p.lose(app.key);
    await expectCode(rt.appInstRuntime(app.key, opCtx()), Code.NOT_FOUND);
  });
});
