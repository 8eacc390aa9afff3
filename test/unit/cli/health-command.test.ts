import { describe, expect, it } from 'vitest';
import { HEALTH_DEFAULT_TIMEOUT_MS, HEALTH_USAGE, healthUrlOfMetricsAddress, parseHealthArgs } from '../../../src/cli/health-command.js';
import { usageFailureOf } from '../../helpers/usage-failure.js';

function probe(argv: string[], env: Record<string, string> = {}): { url: string; timeoutMs: number } {
  const parsed = parseHealthArgs(argv, env);
  if (parsed.help) throw new Error('unexpected help');
  return { url: parsed.url, timeoutMs: parsed.timeoutMs };
}

/** The one-line message of the usage error thrown. */
function usageFailure(argv: string[], env: Record<string, string> = {}): string {
  return usageFailureOf(() => parseHealthArgs(argv, env));
}

describe('cloudletd health: the URL', () => {
  it('defaults to the CRM metrics address, with a 3 s deadline', () => {
    expect(probe([])).toEqual({ url: 'http://127.0.0.1:9091/healthz', timeoutMs: 3000 });
    expect(HEALTH_DEFAULT_TIMEOUT_MS).toBe(3000);
  });

  it('derives it from CLOUDLETD_METRICS_ADDR, probing a wildcard host on loopback', () => {
    expect(probe([], { CLOUDLETD_METRICS_ADDR: '127.0.0.1:9092' }).url).toBe('http://127.0.0.1:9092/healthz');
    expect(probe([], { CLOUDLETD_METRICS_ADDR: '0.0.0.0:9091' }).url).toBe('http://127.0.0.1:9091/healthz');
    expect(probe([], { CLOUDLETD_METRICS_ADDR: '[::]:9091' }).url).toBe('http://[::1]:9091/healthz');
    expect(probe([], { CLOUDLETD_METRICS_ADDR: '[0:0:0:0:0:0:0:0]:9091' }).url).toBe('http://[::1]:9091/healthz');
    expect(probe([], { CLOUDLETD_METRICS_ADDR: '[::1]:9091' }).url).toBe('http://[::1]:9091/healthz');
    expect(probe([], { CLOUDLETD_METRICS_ADDR: '[fd00::5]:9091' }).url).toBe('http://[fd00::5]:9091/healthz');
    expect(probe([], { CLOUDLETD_METRICS_ADDR: 'crm-1.example.net:9091' }).url).toBe('http://crm-1.example.net:9091/healthz');
    expect(probe([], { CLOUDLETD_METRICS_ADDR: '' }).url).toBe('http://127.0.0.1:9091/healthz');
    expect(healthUrlOfMetricsAddress({ value: '10.0.0.7:9100', name: 'x' })).toBe('http://10.0.0.7:9100/healthz');
  });

  it('takes CLOUDLETD_HEALTH_URL over the metrics address, and --url over both', () => {
    const env = { CLOUDLETD_METRICS_ADDR: '0.0.0.0:9091', CLOUDLETD_HEALTH_URL: 'http://127.0.0.1:9092/readyz' };
    expect(probe([], env).url).toBe('http://127.0.0.1:9092/readyz');
    expect(probe(['--url', 'https://ctl.example.net:8443/healthz'], env).url).toBe('https://ctl.example.net:8443/healthz');
    expect(probe([], { CLOUDLETD_HEALTH_URL: '' }).url).toBe('http://127.0.0.1:9091/healthz');
  });

  it('takes the deadline from --timeout, else CLOUDLETD_HEALTH_TIMEOUT', () => {
    expect(probe(['--timeout', '500ms']).timeoutMs).toBe(500);
    expect(probe([], { CLOUDLETD_HEALTH_TIMEOUT: '10s' }).timeoutMs).toBe(10_000);
    expect(probe(['--timeout', '1s'], { CLOUDLETD_HEALTH_TIMEOUT: '10s' }).timeoutMs).toBe(1000);
  });

  it('refuses bad settings with one line naming where they came from', () => {
    expect(usageFailure(['--url', 'ftp://x/healthz'])).toMatch(/^--url: .*not an http:\/\/ or https:\/\/ URL/);
    expect(usageFailure(['--url', '127.0.0.1:9091'])).toMatch(/^--url: /);
    expect(usageFailure([], { CLOUDLETD_HEALTH_URL: 'not a url' })).toMatch(/^--url \(from CLOUDLETD_HEALTH_URL\): .*not a URL/);
    expect(usageFailure([], { CLOUDLETD_METRICS_ADDR: '9091' })).toMatch(/^CLOUDLETD_METRICS_ADDR: .*not host:port/);
    expect(usageFailure([], { CLOUDLETD_METRICS_ADDR: '0.0.0.0:0' })).toMatch(/^CLOUDLETD_METRICS_ADDR: .*port 0.*--url/);
    expect(usageFailure(['--timeout', 'soon'])).toMatch(/^--timeout: .*not a duration/);
    expect(usageFailure(['--timeout', '0s'])).toMatch(/^--timeout: must be greater than 0/);
    expect(usageFailure([], { CLOUDLETD_HEALTH_TIMEOUT: '-1s' })).toMatch(/^--timeout \(from CLOUDLETD_HEALTH_TIMEOUT\): /);
    expect(usageFailure(['--nope'])).toMatch(/^--nope: unknown flag; see cloudletd health --help/);
    expect(usageFailure(['http://127.0.0.1:9091/healthz'])).toMatch(/unexpected argument/);
    expect(usageFailure(['--url'])).toMatch(/^--url: needs a value/);
  });

  it('has a --help that names every flag and variable', () => {
    expect(parseHealthArgs(['--help'], {})).toEqual({ help: true });
    expect(parseHealthArgs(['-h'], {})).toEqual({ help: true });
    for (const word of ['--url', '--timeout', 'CLOUDLETD_HEALTH_URL', 'CLOUDLETD_HEALTH_TIMEOUT', 'CLOUDLETD_METRICS_ADDR', '127.0.0.1:9091']) {
      expect(HEALTH_USAGE).toContain(word);
    }
  });
});
