import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/logger.js';
import { StateJournal } from '../../../../platforms/fake/state-journal.js';
import { tempDirs } from './fixtures/fake-specs.js';

interface Rec {
  readonly key: string;
  readonly n: number;
}

const isRec = (v: unknown): v is Rec => typeof (v as Rec).key === 'string' && typeof (v as Rec).n === 'number';
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function open(dir: string, options: { persist?: boolean; compactMinLines?: number } = {}): StateJournal<Rec> {
  return StateJournal.open<Rec>({ dir, file: 'j.jsonl', persist: options.persist ?? true, validate: isRec, log: silentLogger(), compactMinLines: options.compactMinLines ?? 1000 });
}

const fileLines = (dir: string): string[] => readFileSync(join(dir, 'j.jsonl'), 'utf8').split('\n').filter((l) => l !== '');

describe('StateJournal', () => {
  it('replays puts and deletes after a reopen, in first-put order', () => {
    const dir = dirs.make();
    const j = open(dir);
    j.put({ key: 'a', n: 1 });
    j.put({ key: 'b', n: 1 });
    j.put({ key: 'a', n: 2 });
    j.put({ key: 'c', n: 1 });
    expect(j.delete('b')).toBe(true);
    expect(j.delete('b')).toBe(false);
    j.close();
    expect(fileLines(dir)).toHaveLength(5);
    const again = open(dir);
    expect([...again.values()]).toEqual([{ key: 'a', n: 2 }, { key: 'c', n: 1 }]);
    expect(again.lines).toBe(5);
    again.close();
  });

  it('ignores a torn last line, cuts it off, and appends after it', () => {
    const dir = dirs.make();
    const j = open(dir);
    j.put({ key: 'a', n: 1 });
    j.put({ key: 'b', n: 1 });
    j.close();
    appendFileSync(join(dir, 'j.jsonl'), '{"t":"put","r":{"key":"c","n"');
    const again = open(dir);
    expect([...again.values()].map((r) => r.key)).toEqual(['a', 'b']);
    again.put({ key: 'd', n: 1 });
    again.close();
    expect(fileLines(dir)).toHaveLength(3);
    const third = open(dir);
    expect([...third.values()].map((r) => r.key)).toEqual(['a', 'b', 'd']);
    third.close();
  });

  it('a complete record without its newline still counts as torn', () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'j.jsonl'), '{"t":"put","r":{"key":"a","n":1}}\n{"t":"put","r":{"key":"b","n":1}}');
    const j = open(dir);
    expect([...j.values()].map((r) => r.key)).toEqual(['a']);
    j.close();
  });

  it('skips corrupt or invalid lines in the middle', () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'j.jsonl'), ['{"t":"put","r":{"key":"a","n":1}}', 'garbage', '{"t":"put","r":{"key":"b"}}', '{"t":"put","r":{"key":"c","n":3}}', ''].join('\n'));
    const j = open(dir);
    expect([...j.values()].map((r) => r.key)).toEqual(['a', 'c']);
    j.close();
  });

  it('compacts on open when the file has many more lines than records', () => {
    const dir = dirs.make();
    const j = open(dir, { compactMinLines: 1_000_000 });
    for (let n = 0; n < 100; n++) j.put({ key: `k${n % 5}`, n });
    j.close();
    expect(fileLines(dir)).toHaveLength(100);
    const again = open(dir, { compactMinLines: 10 });
    expect(fileLines(dir)).toHaveLength(5);
    expect(again.lines).toBe(5);
    expect([...again.values()]).toEqual([95, 96, 97, 98, 99].map((n) => ({ key: `k${n % 5}`, n })));
    again.put({ key: 'k9', n: 1 });
    again.close();
    expect(existsSync(join(dir, 'j.jsonl.tmp'))).toBe(false);
    expect([...open(dir).values()]).toHaveLength(6);
  });

  it('compacts while appending, keeping the file within a constant factor of the records', () => {
    const dir = dirs.make();
    const j = open(dir, { compactMinLines: 50 });
    for (let n = 0; n < 2000; n++) {
      j.put({ key: `k${n % 10}`, n });
      expect(j.lines).toBeLessThanOrEqual(51);
    }
    j.close();
    expect(fileLines(dir).length).toBeLessThanOrEqual(51);
    expect([...open(dir).values()].map((r) => r.n)).toEqual([1990, 1991, 1992, 1993, 1994, 1995, 1996, 1997, 1998, 1999]);
  });

  it('without persist reads an existing file but writes nothing', () => {
    const dir = dirs.make();
    const empty = open(dir, { persist: false });
    empty.put({ key: 'a', n: 1 });
    empty.close();
    expect(existsSync(join(dir, 'j.jsonl'))).toBe(false);

    const j = open(dir);
    j.put({ key: 'a', n: 1 });
    j.close();
    appendFileSync(join(dir, 'j.jsonl'), '{"torn');
    const before = readFileSync(join(dir, 'j.jsonl'), 'utf8');
    const dry = open(dir, { persist: false, compactMinLines: 0 });
    expect([...dry.values()]).toEqual([{ key: 'a', n: 1 }]);
    dry.put({ key: 'b', n: 1 });
    dry.delete('a');
    dry.close();
    expect(readFileSync(join(dir, 'j.jsonl'), 'utf8')).toBe(before);
  });

  it('throws INTERNAL when mutated after close', () => {
    const j = open(dirs.make());
    j.close();
    j.close();
    expect(() => j.put({ key: 'a', n: 1 })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
