import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../../../src/core/logger.js';
import { prettyDestination, prettyLine } from '../../../src/core/log-pretty.js';
import { notFound } from '../../../src/core/errors.js';

function capture(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('createLogger (json)', () => {
  it('writes one JSON record per call with fields, level label and ISO time', () => {
    const dest = capture();
    const log = createLogger({ level: 'info', destination: dest });
    log.info({ cloudlet: 'edge1', cpus: 8 }, 'cloudlet ready');
    log.warn('plain message');
    expect(dest.lines).toHaveLength(2);
    const first = JSON.parse(dest.lines[0] ?? '') as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', msg: 'cloudlet ready', cloudlet: 'edge1', cpus: 8 });
    expect(typeof first['time']).toBe('string');
    expect(Number.isNaN(Date.parse(first['time'] as string))).toBe(false);
    expect(JSON.parse(dest.lines[1] ?? '')).toMatchObject({ level: 'warn', msg: 'plain message' });
  });

  it('filters below the level', () => {
    const dest = capture();
    const log = createLogger({ level: 'warn', destination: dest });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(dest.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w', 'e']);
    const silent = capture();
    createLogger({ level: 'silent', destination: silent }).error('x');
    expect(silent.lines).toHaveLength(0);
  });

  it('child adds fields without changing the parent; root fields apply everywhere', () => {
    const dest = capture();
    const log = createLogger({ destination: dest, fields: { component: 'crm' } });
    const child = log.child({ cloudlet: 'edge1' });
    child.info({ step: 1 }, 'child');
    log.info('parent');
    const [c, p] = dest.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(c).toMatchObject({ component: 'crm', cloudlet: 'edge1', step: 1, msg: 'child' });
    expect(p).toMatchObject({ component: 'crm', msg: 'parent' });
    expect(p).not.toHaveProperty('cloudlet');
  });

  it('serializes errors in err with code and field', () => {
    const dest = capture();
    createLogger({ destination: dest }).error({ err: notFound('cloudlet edge1', 'key') }, 'lookup failed');
    const rec = JSON.parse(dest.lines[0] ?? '') as { err: Record<string, unknown> };
    expect(rec.err).toMatchObject({ type: 'CodedError', message: 'cloudlet edge1 not found', code: 'NOT_FOUND', field: 'key' });
  });

  it('rejects unknown level or format', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(/log.level/);
    expect(() => createLogger({ format: 'xml' as never })).toThrow(/log.format/);
  });
});

describe('pretty format', () => {
  it('renders a single human-readable line through createLogger', () => {
    const dest = capture();
    const log = createLogger({ format: 'pretty', destination: dest });
    log.info({ cloudlet: 'edge1', note: 'two words', ok: true }, 'cloudlet ready');
    expect(dest.lines).toHaveLength(1);
    const line = dest.lines[0] ?? '';
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}cloudlet ready /);
    expect(line).toContain('cloudlet=edge1');
    expect(line).toContain('note="two words"');
    expect(line).toContain('ok=true');
    expect(line).not.toContain('pid=');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  it('renders errors on the same line', () => {
    const dest = capture();
    createLogger({ format: 'pretty', destination: dest }).warn({ err: notFound('app x', 'key') }, 'failed');
    expect(dest.lines[0]).toContain('err="CodedError: app x not found" err.code=NOT_FOUND err.field=key');
  });

  it('prettyLine handles epoch times, nested objects and non-JSON input', () => {
    expect(prettyLine('{"level":"debug","time":0,"msg":"m","obj":{"a":1}}')).toBe(
      '1970-01-01T00:00:00.000Z DEBUG m obj={"a":1}\n',
    );
    expect(prettyLine('not json')).toBe('not json\n');
    expect(prettyLine('[1,2]\n')).toBe('[1,2]\n');
  });

  it('prettyDestination splits several records', () => {
    const dest = capture();
    prettyDestination(dest).write('{"level":"info","time":0,"msg":"a"}\n{"level":"info","time":0,"msg":"b"}\n');
    expect(dest.lines).toHaveLength(2);
  });
});

describe('silentLogger', () => {
  it('accepts every call and returns silent children', () => {
    const log: Logger = silentLogger();
    log.info('x');
    log.error({ a: 1 }, 'y');
    expect(log.child({ a: 1 })).toBeDefined();
    log.child({}).debug('z');
  });
});
