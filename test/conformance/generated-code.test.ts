import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './proto-descriptors.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('src/gen is generated from proto/ and up to date', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'cloudletd-gen-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('equals a fresh `npm run gen`, file for file and byte for byte (run `npm run gen` and commit)', () => {
    execFileSync(join(repoRoot, 'node_modules/.bin/tsx'), ['scripts/gen.ts', '--out', outDir], { cwd: repoRoot, stdio: 'pipe' });
    const fresh = join(outDir, 'src/gen');
    const committed = join(repoRoot, 'src/gen');
    expect(listFiles(committed)).toEqual(listFiles(fresh));
    const stale = listFiles(fresh).filter(
      (f) => readFileSync(join(fresh, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'),
    );
    expect(stale).toEqual([]);
  });
});
