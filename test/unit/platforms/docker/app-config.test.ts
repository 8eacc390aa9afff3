import { describe, expect, it } from 'vitest';
import { Code, type CodedError } from '../../../../src/core/errors.js';
import { LProto } from '../../../../src/gen/dme/appcommon.js';
import { appEnvironment, derivedFlavors, extraContainers, publishedPorts, splitCommand } from '../../../../platforms/docker/index.js';
import { healthDetail } from '../../../../platforms/docker/apps.js';
import { demultiplex } from '../../../../platforms/docker/docker-api.js';

function rejection(fn: () => unknown): CodedError {
  try {
    fn();
  } catch (e) {
    return e as CodedError;
  }
  throw new Error('accepted');
}

describe('splitCommand', () => {
  it.each([
    ['', []],
    ['  httpd -f   -p 8080 ', ['httpd', '-f', '-p', '8080']],
    [`sh -c 'echo a; echo "b"'`, ['sh', '-c', 'echo a; echo "b"']],
    [`echo "a \\"b\\" \\$HOME \\n" c`, ['echo', 'a "b" $HOME \\n', 'c']],
    [`a\\ b c\\'d`, ['a b', "c'd"]],
    [`x '' "" y`, ['x', '', '', 'y']],
    [`pre'mid'"end"`, ['premidend']],
    ['a\\\nb', ['ab']],
  ])('%j → %j', (command, argv) => {
    expect(splitCommand(command)).toEqual(argv);
  });

  it.each([`echo 'open`, `echo "open`, 'echo \\'])('rejects %j naming app.command', (command) => {
    const e = rejection(() => splitCommand(command));
    expect(e.code).toBe(Code.INVALID_ARGUMENT);
    expect(e.field).toBe('app.command');
  });
});

describe('appEnvironment', () => {
  it('reads every envVarsYaml config, in order; ignores other kinds', () => {
    const configs = [
      { kind: 'envVarsYaml', config: '- name: A\n  value: one\n- name: PORT\n  value: 8080\n- name: EMPTY\n' },
      { kind: 'k8s-manifest', config: 'kind: Pod' },
      { kind: 'envVarsYaml', config: '[{name: B, value: "x=y"}, {name: FLAG, value: true}]' },
    ];
    expect(appEnvironment(configs)).toEqual(['A=one', 'PORT=8080', 'EMPTY=', 'B=x=y', 'FLAG=true']);
  });

  it.each([
    ['name: A', 'app.configs[0].config'],
    ['- [a]', 'app.configs[0].config[0]'],
    ['- {value: x}', 'app.configs[0].config[0].name'],
    ['- {name: "A=B", value: x}', 'app.configs[0].config[0].name'],
    ['- {name: A, valueFrom: {secretKeyRef: x}}', 'app.configs[0].config[0].valueFrom'],
    ['- {name: A, value: {x: 1}}', 'app.configs[0].config[0].value'],
    ['- {name: A, value: [1}', 'app.configs[0].config'],
  ])('rejects %j naming %s', (config, field) => {
    const e = rejection(() => appEnvironment([{ kind: 'envVarsYaml', config }]));
    expect(e.code).toBe(Code.INVALID_ARGUMENT);
    expect(e.field).toBe(field);
  });
});

describe('extraContainers', () => {
  it('reads a YAML list of {name, image?, command?, env?}', () => {
    const manifest = `
- name: sidecar
  command: sh -c 'echo hi; sleep 100'
  env: [{ name: ROLE, value: sidecar }]
- name: logger.2
  image: other/image:2
  command: [tail, -f, /dev/null]
`;
    expect(extraContainers(manifest)).toEqual([
      { name: 'sidecar', image: undefined, command: ['sh', '-c', 'echo hi; sleep 100'], env: ['ROLE=sidecar'] },
      { name: 'logger.2', image: 'other/image:2', command: ['tail', '-f', '/dev/null'], env: [] },
    ]);
    expect(extraContainers('  ')).toEqual([]);
  });

  it.each([
    ['services: {a: {}}', 'app.deployment_manifest'],
    ['- name: main', 'app.deployment_manifest[0].name'],
    ['- name: Bad_Name', 'app.deployment_manifest[0].name'],
    ['- {name: a}\n- {name: a}', 'app.deployment_manifest[1].name'],
    ['- {name: a, ports: [80]}', 'app.deployment_manifest[0].ports'],
    ['- {name: a, image: "x y"}', 'app.deployment_manifest[0].image'],
    ['- {name: a, command: {x: 1}}', 'app.deployment_manifest[0].command'],
    [`- {name: a, command: "sh -c 'x"}`, 'app.deployment_manifest[0].command'],
  ])('rejects %j naming %s', (manifest, field) => {
    const e = rejection(() => extraContainers(manifest));
    expect(e.code).toBe(Code.INVALID_ARGUMENT);
    expect(e.field).toBe(field);
  });
});

describe('publishedPorts', () => {
  const mapped = (proto: LProto, internal: number, pub: number) => ({ proto, internal_port: internal, public_port: pub, path_prefix: '', fqdn_prefix: '' });

  it('publishes access ports on their mapped public ports, else on a port Docker picks', () => {
    expect(publishedPorts('tcp:7777, udp:7777,HTTP:8080', [mapped(LProto.L_PROTO_TCP, 7777, 10000), mapped(LProto.L_PROTO_HTTP, 8080, 443)])).toEqual([
      { proto: 'tcp', internal: 7777, public: 10000 },
      { proto: 'tcp', internal: 8080, public: 443 },
      { proto: 'udp', internal: 7777, public: 0 },
    ]);
    expect(publishedPorts('', [mapped(LProto.L_PROTO_UDP, 53, 5353)])).toEqual([{ proto: 'udp', internal: 53, public: 5353 }]);
  });

  it.each(['tcp', 'tcp:0', 'sctp:80', 'tcp:80:90', 'tcp:99999'])('rejects %j naming app.access_ports', (ports) => {
    expect(rejection(() => publishedPorts(ports, [])).field).toBe('app.access_ports');
  });
});

describe('derivedFlavors', () => {
  it('offers powers of two below the CPU count and the CPU count, with RAM and disk in proportion', () => {
    expect(derivedFlavors(6, 12_000, 300)).toEqual([
      { name: 'docker.1cpu', vcpus: 1, ramMb: 2000, diskGb: 50 },
      { name: 'docker.2cpu', vcpus: 2, ramMb: 4000, diskGb: 100 },
      { name: 'docker.4cpu', vcpus: 4, ramMb: 8000, diskGb: 200 },
      { name: 'docker.6cpu', vcpus: 6, ramMb: 12_000, diskGb: 300 },
    ]);
    expect(derivedFlavors(1, 1000, 0)).toEqual([{ name: 'docker.1cpu', vcpus: 1, ramMb: 1000, diskGb: 1 }]);
  });
});

describe('demultiplex', () => {
  const frame = (type: number, text: string) => {
    const body = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  };

  it('interleaves stdout and stderr frames; passes raw (TTY) data through', () => {
    expect(demultiplex(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more')]))).toBe('out\nerr\nmore');
    expect(demultiplex(Buffer.from('plain text\n'))).toBe('plain text\n');
    expect(demultiplex(Buffer.alloc(0))).toBe('');
  });
});

describe('healthDetail', () => {
  const state = (s: Partial<{ Status: string; ExitCode: number; Restarting: boolean; OOMKilled: boolean; Error: string }>) => ({
    State: { Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: '', FinishedAt: '', ...s },
  });

  it('says what happened and whether Docker gave up', () => {
    expect(healthDetail('main', { ...state({ ExitCode: 3 }), RestartCount: 5 }, 5)).toBe('container main exited with code 3 after 5 restarts; gave up (restart limit 5)');
    expect(healthDetail('main', { ...state({ ExitCode: 3, Restarting: true, Status: 'restarting' }), RestartCount: 1 }, 5)).toBe(
      'container main exited with code 3; restarting (restart 2 of 5)',
    );
    expect(healthDetail('side', { ...state({ ExitCode: 137, OOMKilled: true }), RestartCount: 0 }, 0)).toBe(
      'container side exited with code 137 (killed: out of memory); not restarted (restartMaxRetries is 0)',
    );
    expect(healthDetail('main', { ...state({ ExitCode: 0 }), RestartCount: 0 }, 5)).toBe('container main exited with code 0; a clean exit is not restarted by Docker, the next create starts it again');
    expect(healthDetail('main', { ...state({ ExitCode: 143 }), RestartCount: 0 }, 5)).toBe('container main exited with code 143; stopped (by the daemon or by hand), not restarted by Docker');
    expect(healthDetail('main', { ...state({ Status: 'paused' }), RestartCount: 0 }, 5)).toBe('container main is paused');
  });
});
