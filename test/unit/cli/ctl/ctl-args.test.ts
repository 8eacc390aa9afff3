import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../../src/core/errors.js';
import { CTL_DEFAULT_ADDR, parseCtlArgs, verbsOf, type CtlRun } from '../../../../src/cli/ctl/ctl-args.js';
import { ctlHelp, kindHelp, verbHelp } from '../../../../src/cli/ctl/ctl-help.js';
import { findKind } from '../../../../src/cli/ctl/kinds.js';

function run(argv: string[], env: Record<string, string> = {}): CtlRun {
  const parsed = parseCtlArgs(argv, env);
  if (parsed.help) throw new Error('expected a run, got help');
  return parsed;
}

function usage(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCtlArgs(argv, env);
  } catch (err) {
    expect(isCodedError(err) && err.code).toBe('INVALID_ARGUMENT');
    return (err as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCtlArgs', () => {
  it('reads verb, kind and field arguments, with flags before or after them', () => {
    const a = run(['--addr', '10.0.0.1:1234', 'show', 'flavor', 'name=x1.small', '-o', 'yaml', '--timeout=5s']);
    expect(a).toMatchObject({ verb: 'show', fields: ['name=x1.small'], output: 'yaml', settings: { addr: '10.0.0.1:1234', timeoutMs: 5000, waitTimeoutMs: 600_000 } });
    expect(a.kind?.name).toBe('flavor');
    const b = run(['create', 'appinsts', '-ojson', 'developer=Acme', '--wait-timeout', '2m', '-f', 'x.yaml', 'cluster=c1'].filter((x) => x !== '-ojson'));
    expect(b).toMatchObject({ verb: 'create', fields: ['developer=Acme', 'cluster=c1'], file: 'x.yaml', output: 'table', settings: { waitTimeoutMs: 120_000 } });
    expect(b.kind?.name).toBe('appinst');
    expect(run(['show', 'app', '-ojson']).output).toBe('json');
    expect(run(['show', 'app', '--', '-x=1']).fields).toEqual(['-x=1']);
  });

  it('takes settings from flags, then CLOUDLETD_CTL_* variables, then defaults', () => {
    expect(run(['show', 'flavor']).settings).toEqual({ addr: CTL_DEFAULT_ADDR, timeoutMs: 30_000, waitTimeoutMs: 600_000 });
    const env = { CLOUDLETD_CTL_ADDR: '127.0.0.1:9', CLOUDLETD_CTL_TIMEOUT: '2s', CLOUDLETD_CTL_WAIT_TIMEOUT: '1h' };
    expect(run(['show', 'flavor'], env).settings).toEqual({ addr: '127.0.0.1:9', timeoutMs: 2000, waitTimeoutMs: 3_600_000 });
    expect(run(['show', 'flavor', '--addr', '127.0.0.1:8'], env).settings.addr).toBe('127.0.0.1:8');
    expect(usage(['show', 'flavor'], { CLOUDLETD_CTL_TIMEOUT: 'soon' })).toMatch(/^--timeout \(from CLOUDLETD_CTL_TIMEOUT\): "soon" is not a duration/);
  });

  it('tells apply -f and the data-file delete -f from the single-object delete', () => {
    expect(run(['apply', '-f', 'demo.yaml'])).toMatchObject({ verb: 'apply', kind: undefined, file: 'demo.yaml' });
    expect(run(['delete', '-f', 'demo.yaml'])).toMatchObject({ verb: 'delete', kind: undefined, file: 'demo.yaml' });
    const single = run(['delete', 'flavor', '-f', 'one.yaml']);
    expect(single.kind?.name).toBe('flavor');
    expect(usage(['apply'])).toMatch(/needs -f FILE/);
    expect(usage(['apply', 'flavor', '-f', 'x'])).toMatch(/apply takes no kind/);
    expect(usage(['delete', '-f', 'x', 'name=a'])).toMatch(/takes no field arguments/);
  });

  it('refuses unknown verbs, kinds and flags, missing values, a verb the kind lacks and -o outside show', () => {
    expect(usage([])).toMatch(/needs a verb/);
    expect(usage(['frob', 'flavor'])).toMatch(/^frob: unknown verb; use one of create, update, delete, show, apply/);
    expect(usage(['show', 'gadget'])).toMatch(/^gadget: unknown kind; use one of flavor, operator/);
    expect(usage(['show'])).toMatch(/^show: needs a kind: flavor/);
    expect(usage(['create', 'name=x'])).toMatch(/^create: needs a kind: flavor, operator, developer, cloudlet, cluster, app, clusterinst, appinst$/);
    expect(usage(['create', 'cloudletinfo'])).toBe('create cloudletinfo: cloudletinfo supports show only');
    expect(usage(['show', 'flavor', '--bogus'])).toBe('--bogus: unknown flag');
    expect(usage(['show', 'flavor', '-o'])).toBe('-o: needs a value');
    expect(usage(['show', 'flavor', '-o', 'xml'])).toMatch(/"xml" is not one of table, json, yaml/);
    expect(usage(['create', 'flavor', '-o', 'json'])).toBe('-o: applies to show only');
    expect(usage(['show', 'flavor', '-f', 'a', '-f', 'b'])).toMatch(/^-f: given twice/);
    expect(usage(['--addr', 'nowhere', 'show', 'flavor'])).toMatch(/^--addr: "nowhere" is not host:port/);
  });

  it('asks for help at three levels, wherever -h/--help is', () => {
    expect(parseCtlArgs(['--help'], {})).toEqual({ help: true });
    expect(parseCtlArgs(['create', '-h'], {})).toEqual({ help: true, verb: 'create' });
    const kindHelpRequest = parseCtlArgs(['update', 'clusterinst', 'cluster=c1', '--help'], {});
    expect(kindHelpRequest).toMatchObject({ help: true, verb: 'update', kind: { name: 'clusterinst' } });
    expect(usage(['frob', '--help'])).toMatch(/unknown verb/);
  });

  it('lists the verbs of each kind', () => {
    expect(verbsOf(findKind('flavor')!)).toEqual(['create', 'update', 'delete', 'show']);
    expect(verbsOf(findKind('node')!)).toEqual(['show']);
  });
});

describe('ctl help texts', () => {
  it('name verbs, kinds, flags with their variables, exit codes and examples', () => {
    const text = ctlHelp();
    for (const word of ['create', 'update', 'delete', 'show', 'apply', 'clusterinstinfo', 'cloudletrefs', '--addr', 'CLOUDLETD_CTL_ADDR',
      '--timeout', 'CLOUDLETD_CTL_TIMEOUT', '--wait-timeout', 'CLOUDLETD_CTL_WAIT_TIMEOUT', '-o, --output', '-f, --file', 'exit codes:', 'examples:']) {
      expect(text).toContain(word);
    }
    expect(verbHelp('show')).toMatch(/^usage: cloudletd ctl show <kind>/);
    expect(verbHelp('apply')).toContain('cloudletd ctl apply -f demo.yaml');
  });

  it('of a kind list its aliases, key fields and every field path with its type', () => {
    const text = kindHelp('create', findKind('app')!);
    expect(text).toMatch(/^ {2}developer= +key\.developer_key\.name$/m);
    expect(text).toMatch(/^ {2}key\.developer_key\.name$/m);
    expect(text).toMatch(/^ {2}image_type +one of IMAGE_TYPE_UNKNOWN, IMAGE_TYPE_DOCKER/m);
    expect(text).toMatch(/^ {2}configs +list of ConfigFile \(JSON object\)/m);
    expect(text).toMatch(/^ {2}permits_platform_apps +bool$/m);
    expect(text).not.toMatch(/^ {2}fields /m);
    expect(kindHelp('create', findKind('node')!)).toContain('note: node supports show only.');
  });
});
