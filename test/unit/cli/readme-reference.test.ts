/**
 * Keeps README.md true to the code: its configuration reference names every flag and `CLOUDLETD_*` variable of
 * every command (in that command's section), its metrics reference names every metric the components register,
 * and it names no variable or metric that does not exist. Each failure lists exactly what is missing or stale.
 *
 * Where the names come from:
 * - flags and variables: the `--help` text of each command, the exported usage constants of `up`, `controller`,
 *   `crm` and `dme`, and for any other registered command (`health`, `ctl`...) what its `run` writes for `--help`,
 *   in process;
 * - metrics: the components' metric factories run into fresh registries, and a registry with the process metrics,
 *   read through `getMetricsAsJSON()`. A guard fails when a source file defines metrics through a factory this test
 *   does not build, so a new metric cannot slip past it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import type { CommandContext } from '../../../src/cli/command.js';
import { allCommands } from '../../../src/cli/commands.js';
import { CONTROLLER_USAGE } from '../../../src/cli/controller-config.js';
import { CRM_USAGE } from '../../../src/cli/crm-config.js';
import { DME_USAGE } from '../../../src/cli/dme-config.js';
import { UP_USAGE } from '../../../src/cli/up-config.js';
import { createRestMetrics } from '../../../src/controller/rest/rest-metrics.js';
import { createCrmMetrics } from '../../../src/crm/metrics.js';
import { createDmeMetrics } from '../../../src/dme/metrics.js';
import { createNotifyMetrics } from '../../../src/metrics/notify-metrics.js';
import { createMetricsRegistry } from '../../../src/metrics/registry.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README_PATH = join(ROOT, 'README.md');
const README = readFileSync(README_PATH, 'utf8');

// ---- names in text ---------------------------------------------------------------------------------------------

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `text` holds `token` as a whole word: `--api-addr` is not found in `--dme-api-addr`, nor `X_ADDR` in `X_ADDRS`. */
function mentions(text: string, token: string): boolean {
  const word = token.startsWith('--') ? '[A-Za-z0-9-]' : '[A-Za-z0-9_]';
  return new RegExp(`(?<!${word})${escape(token)}(?!${word})`).test(text);
}

/** The `--flags` of a usage text, `--help` left out (every command has it), in order of appearance. */
function flagsOf(usage: string): string[] {
  const flags = [...usage.matchAll(/(?<![A-Za-z0-9-])--[a-z][a-z0-9-]*[a-z0-9]/g)].map((m) => m[0]);
  return [...new Set(flags)].filter((f) => f !== '--help');
}

/** The `CLOUDLETD_*` variables of a text; wildcards such as `CLOUDLETD_FAKE_*` are not names and are skipped. */
function variablesOf(text: string): string[] {
  const names = [...text.matchAll(/(?<![A-Za-z0-9_])CLOUDLETD_[A-Z0-9_]*(\*)?/g)]
    .filter((m) => m[1] === undefined && !m[0].endsWith('_'))
    .map((m) => m[0]);
  return [...new Set(names)];
}

/** The `cloudletd_*` metric names of a text; wildcards (`cloudletd_notify_client_*`) are skipped. */
function metricNamesOf(text: string): string[] {
  const names = [...text.matchAll(/(?<![A-Za-z0-9_])cloudletd_[a-z0-9_]*(\*)?/g)]
    .filter((m) => m[1] === undefined && !m[0].endsWith('_'))
    .map((m) => m[0]);
  return [...new Set(names)];
}

/**
 * The README text about `cloudletd <command>`: every section whose heading names it in backticks, each up to the
 * next heading of the same or a higher level. Lines in fenced code blocks are never headings.
 */
function sectionsAbout(command: string): string {
  const lines = README.split('\n');
  const headings: { line: number; level: number; text: string }[] = [];
  let fenced = false;
  lines.forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) headings.push({ line: i, level: match[1].length, text: match[2] });
  });
  return headings
    .filter((h) => h.text.includes(`\`cloudletd ${command}\``))
    .map((h) => {
      const end = headings.find((next) => next.line > h.line && next.level <= h.level)?.line ?? lines.length;
      return lines.slice(h.line, end).join('\n');
    })
    .join('\n');
}

// ---- usage texts -----------------------------------------------------------------------------------------------

/** The commands whose usage text is exported by their configuration module. */
const EXPORTED_USAGES: Readonly<Record<string, string>> = {
  up: UP_USAGE,
  controller: CONTROLLER_USAGE,
  crm: CRM_USAGE,
  dme: DME_USAGE,
};

/** What `cloudletd <name> --help` prints, from the command's own `run` in this process (nothing is started). */
async function helpOf(name: string): Promise<string> {
  const command = allCommands().find((c) => c.name === name);
  if (!command) throw new Error(`no command ${name}`);
  let out = '';
  const stdout = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const context: CommandContext = {
    argv: ['--help'],
    env: {},
    stdout,
    stderr: stdout,
    signal: new AbortController().signal,
    createLogger: () => {
      throw new Error(`${name} --help must not create a logger`);
    },
  };
  const code = await command.run(context);
  if (code !== 0 || out.trim() === '') throw new Error(`cloudletd ${name} --help exited ${code} with ${JSON.stringify(out)}`);
  return out;
}

/** Every registered command with its usage text: the exported constant, else its `--help` output. */
const USAGES: ReadonlyMap<string, string> = new Map(
  await Promise.all(allCommands().map(async (c): Promise<[string, string]> => [c.name, EXPORTED_USAGES[c.name] ?? (await helpOf(c.name))])),
);

// ---- metric registries -----------------------------------------------------------------------------------------

/** Object type names, as the components pass them to the notify metrics. */
const TYPE_NAMES = (Object.values(edgeprotoKinds()) as { readonly name: string }[]).map((k) => k.name);

/** The registries each component fills, built with the components' own factories. */
const COMPONENT_REGISTRIES: Readonly<Record<string, () => Registry>> = {
  process: () => createMetricsRegistry({ processMetrics: true }),
  controller: () => {
    const registry = createMetricsRegistry();
    createNotifyMetrics(registry, 'server', TYPE_NAMES);
    createRestMetrics(registry, ['/healthz', '/readyz', '/metrics']);
    return registry;
  },
  crm: () => {
    const registry = createMetricsRegistry();
    createCrmMetrics(registry, { queueDepth: () => 0, objects: () => undefined });
    createNotifyMetrics(registry, 'client', TYPE_NAMES);
    return registry;
  },
  dme: () => {
    const registry = createMetricsRegistry();
    createDmeMetrics(registry, { indexedAppInsts: () => 0, objects: () => ({}), dataAgeSeconds: () => 0 });
    createNotifyMetrics(registry, 'client', TYPE_NAMES);
    return registry;
  },
};

/**
 * The source files that define metrics, each built above through its factory. A file not listed here that
 * constructs a Counter, Gauge, Histogram or Summary, or collects the default metrics, fails the guard below.
 */
const COVERED_METRIC_SOURCES: readonly string[] = [
  'src/metrics/registry.ts',
  'src/metrics/notify-metrics.ts',
  'src/controller/rest/rest-metrics.ts',
  'src/crm/metrics.ts',
  'src/dme/metrics.ts',
];

async function metricNames(component: string): Promise<string[]> {
  const build = COMPONENT_REGISTRIES[component];
  if (!build) throw new Error(`no registry for ${component}`);
  const metrics = await build().getMetricsAsJSON();
  return metrics.map((m) => m.name);
}

/** `.ts` files under `dir` (relative to the repository root), src/gen excepted. */
function sourceFiles(dir: string): string[] {
  const entries = readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'))
    .filter((path) => !path.startsWith('src/gen/'))
    .sort();
}

// ---- tests -----------------------------------------------------------------------------------------------------

describe('README.md configuration reference', () => {
  it('covers the commands whose usage is exported', () => {
    expect([...USAGES.keys()]).toEqual(expect.arrayContaining(Object.keys(EXPORTED_USAGES)));
  });

  it.each([...USAGES.keys()])('names every flag and variable of `cloudletd %s` in its section', (name) => {
    const usage = USAGES.get(name) ?? '';
    const expected = [...flagsOf(usage), ...variablesOf(usage)];
    expect(expected.length, `no flags found in the usage of cloudletd ${name}`).toBeGreaterThan(0);
    const section = sectionsAbout(name);
    expect(section, `README.md has no heading that names \`cloudletd ${name}\` (in backticks)`).not.toBe('');
    const missing = expected.filter((token) => !mentions(section, token));
    expect(missing, `README.md's section(s) about \`cloudletd ${name}\` do not mention: ${missing.join(', ')}`).toEqual([]);
  });

  it('names no CLOUDLETD_* variable that no command reads', () => {
    const known = new Set([...USAGES.values()].flatMap(variablesOf));
    const stale = variablesOf(README).filter((v) => !known.has(v));
    expect(stale, `README.md mentions variables no command's --help lists: ${stale.join(', ')}`).toEqual([]);
  });
});

describe('README.md metrics reference', () => {
  it.each(Object.keys(COMPONENT_REGISTRIES))('names every %s metric', async (component) => {
    const names = await metricNames(component);
    expect(names.length).toBeGreaterThan(0);
    const missing = names.filter((n) => !mentions(README, n));
    expect(missing, `README.md does not mention these ${component} metrics: ${missing.join(', ')}`).toEqual([]);
  });

  it('names no cloudletd_* metric that no component registers', async () => {
    const known = new Set((await Promise.all(Object.keys(COMPONENT_REGISTRIES).map(metricNames))).flat());
    const stale = metricNamesOf(README).filter((n) => !known.has(n));
    expect(stale, `README.md mentions metrics no component registers: ${stale.join(', ')}`).toEqual([]);
  });

  it('builds the metrics of every source file that defines some', () => {
    const defining = [...sourceFiles('src'), ...sourceFiles('platforms')].filter((path) =>
      /\bnew\s+(?:\w+\.)?(?:Counter|Gauge|Histogram|Summary)\s*[(<]|\bcollectDefaultMetrics\s*\(/.test(readFileSync(join(ROOT, path), 'utf8')),
    );
    const uncovered = defining.filter((path) => !COVERED_METRIC_SOURCES.includes(path));
    expect(uncovered, `these files define metrics this test does not build (add their factory to COMPONENT_REGISTRIES): ${uncovered.join(', ')}`).toEqual([]);
  });
});
