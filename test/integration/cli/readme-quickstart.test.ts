// The README's quick start, executed: every command of its shell blocks, in order, against `cloudletd up --demo`
// on free ports. `npx cloudletd …` lines run the real cli; curl lines are made with fetch. Addresses the README
// spells with their defaults are mapped to the real ones: through the environment for cloudletd (the README relies
// on the defaults), by rewriting the URL for curl. A `# text` comment after a cloudletd command is checked against
// its output when it starts with the command's summary word (`apply:`, `delete:`). Long-running commands (a CRM)
// stay up in the background, as in their own terminal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnCli, type CliProcess } from '../../helpers/controller-process.js';
import { spawnUp, UP_EPHEMERAL_FLAGS } from '../../helpers/up-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-quickstart-'));
const background: CliProcess[] = [];
afterAll(async () => {
  for (const p of background) p.child.kill('SIGTERM');
  await Promise.all(background.map((p) => p.exited));
  rmSync(dataDir, { recursive: true, force: true });
});

/** One command of a shell block, split into words, with the comment that followed it. */
interface Step {
  readonly line: string;
  readonly words: string[];
  readonly comment: string;
}

/** Splits a shell line into words (single and double quotes, no expansion) and its trailing `# comment`. */
function shellWords(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '#' && word === undefined) {
      return { words, comment: line.slice(i + 1).trim() };
    } else if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (quote) throw new Error(`unbalanced quote in README line: ${line}`);
  if (word !== undefined) words.push(word);
  return { words, comment: '' };
}

/** The commands of the `sh` blocks of the README's "## Quick start" section. */
function quickStartSteps(): Step[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Quick start\n');
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const steps: Step[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      if (line.trim() === '') continue;
      steps.push({ line, ...shellWords(line.trim()) });
    }
  }
  return steps;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** `curl [-s] [-N] [-X METHOD] URL [-d BODY]` as fetch. */
async function curl(words: readonly string[], url: (u: string) => string): Promise<{ status: number; body: string }> {
  let method = 'GET';
  let body: string | undefined;
  let target: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '-X') method = words[++i] ?? method;
    else if (w === '-d') {
      body = words[++i];
      if (method === 'GET') method = 'POST';
    } else if (w.startsWith('-')) continue;
    else target = w;
  }
  if (!target) throw new Error(`curl without a URL: ${words.join(' ')}`);
  const res = await fetch(url(target), { method, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

describe('README quick start', () => {
  it('works as written, command by command', async () => {
    const steps = quickStartSteps();
    expect(steps.map((s) => s.words.slice(0, 3).join(' '))).toContain('npx cloudletd ctl');
    const up = await spawnUp(['--demo', '--data-dir', dataDir, ...UP_EPHEMERAL_FLAGS], { timeoutMs: 120_000 });
    background.push(up.proc);
    const crmMetricsPort = await freePort();
    const defaults: Record<string, string> = {
      'http://127.0.0.1:36001': up.restUrl,
      'http://127.0.0.1:9091': up.metricsUrl,
      'http://127.0.0.1:9093': `http://127.0.0.1:${crmMetricsPort}`,
    };
    const url = (u: string): string => Object.entries(defaults).reduce((acc, [from, to]) => acc.replace(from, to), u);
    const env = { CLOUDLETD_CTL_ADDR: up.apiAddress, CLOUDLETD_NOTIFY_ADDRS: up.notifyAddress };
    const ran: string[] = [];

    for (const step of steps) {
      const [tool, name, command] = step.words;
      if (tool === 'npm' && (name === 'ci' || name === 'start')) continue; // done by the test run itself / spawnUp
      if (tool === 'curl') {
        const readiness = /\/readyz$/.test(step.words.find((w) => w.startsWith('http')) ?? '');
        const answer = readiness
          ? await waitFor(async () => {
            const r = await curl(step.words, url).catch(() => undefined);
            return r?.status === 200 ? r : undefined;
          }, { timeoutMs: 30_000, intervalMs: 200, message: `${step.line}: 200` })
          : await curl(step.words, url);
        expect(answer.status, `${step.line}\n${answer.body}`).toBe(200);
        ran.push(step.line);
        continue;
      }
      expect([tool, name], `a quick-start command this test does not know: ${step.line}`).toEqual(['npx', 'cloudletd']);
      const args = step.words.slice(2).map((w) => w.replace(/^\.\/data\b/, dataDir).replace(/^127\.0\.0\.1:9093$/, `127.0.0.1:${crmMetricsPort}`));
      const proc = spawnCli(args, env);
      if (command === 'crm') {
        background.push(proc); // its own terminal: it keeps running
        ran.push(step.line);
        continue;
      }
      const exit = await proc.exited;
      const output = `${step.line}\nstdout:\n${proc.stdout.join('\n')}\nstderr:\n${proc.stderr()}`;
      expect(exit.code, output).toBe(0);
      const summary = /^(apply|delete):/.exec(step.comment);
      if (summary) expect(proc.stdout, output).toContain(step.comment);
      ran.push(step.line);
    }
    expect(ran.length).toBeGreaterThanOrEqual(8);
  }, 180_000);
});
