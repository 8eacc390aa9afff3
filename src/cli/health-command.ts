import { parseArgs } from 'node:util';
import { withTimeout } from '../core/abort.js';
import type { Command, CommandContext } from './command.js';
import { address, argvError, duration, fail, formatDuration, type Source } from './setting-values.js';

/** Default deadline of one probe: connect, answer and body. */
export const HEALTH_DEFAULT_TIMEOUT_MS = 3000;

/** Metrics address probed when neither `--url` nor `CLOUDLETD_HEALTH_URL` is set (the CRM's default). */
export const HEALTH_DEFAULT_METRICS_ADDRESS = '127.0.0.1:9091';

/** Longest excerpt of an unhealthy answer's body on the stderr line. */
const BODY_EXCERPT = 200;

/** The `--help` text of `cloudletd health`. */
export const HEALTH_USAGE = [
  'usage: cloudletd health [flags]',
  '',
  'Asks a cloudletd process whether it is alive: GET of its /healthz URL, with a deadline. Exits 0 when the answer',
  'is 2xx, 1 otherwise (one line on stderr: the status, connection refused, timeout...), 2 on a usage error.',
  'Made for the HEALTHCHECK of the container image, systemd units and monitoring scripts.',
  '',
  'flags:',
  `  --${'url'.padEnd(10)} ${'CLOUDLETD_HEALTH_URL'.padEnd(26)} http(s) URL to GET (default below)`,
  `  --${'timeout'.padEnd(10)} ${'CLOUDLETD_HEALTH_TIMEOUT'.padEnd(26)} deadline of the probe (default ${formatDuration(HEALTH_DEFAULT_TIMEOUT_MS)})`,
  `  --${'help'.padEnd(10)} ${''.padEnd(26)} show this help`,
  '',
  'Without --url or CLOUDLETD_HEALTH_URL the URL is http://ADDR/healthz, ADDR being CLOUDLETD_METRICS_ADDR (the',
  `metrics address of \`cloudletd crm\`, \`dme\` and \`up\`), else ${HEALTH_DEFAULT_METRICS_ADDRESS} (the CRM's default). A wildcard host`,
  'is probed on loopback: 0.0.0.0 on 127.0.0.1, [::] on [::1]. So a process and its health check configured by the',
  'same environment agree. The DME listens on 127.0.0.1:9092 by default: set CLOUDLETD_METRICS_ADDR for both. The',
  'controller answers /healthz on its --http-addr (default 127.0.0.1:36001): set CLOUDLETD_HEALTH_URL for it.',
  '',
  'examples:',
  '  cloudletd health',
  '  CLOUDLETD_METRICS_ADDR=0.0.0.0:9091 cloudletd health                # probes http://127.0.0.1:9091/healthz',
  '  CLOUDLETD_HEALTH_URL=http://127.0.0.1:36001/healthz cloudletd health # a controller',
  '  cloudletd health --url http://10.0.0.5:9092/readyz --timeout 1s',
].join('\n');

/** What {@link parseHealthArgs} found: a request for help, or the probe to make. */
export type ParsedHealthArgs = { readonly help: true } | { readonly help: false; readonly url: string; readonly timeoutMs: number };

/**
 * Parses the arguments of `cloudletd health` (after the command name): the URL from `--url`, else
 * `CLOUDLETD_HEALTH_URL`, else derived from `CLOUDLETD_METRICS_ADDR` (see {@link healthUrlOfMetricsAddress}); the
 * deadline from `--timeout`, else `CLOUDLETD_HEALTH_TIMEOUT`, else 3 s. An empty variable counts as unset. Throws a
 * usage error (INVALID_ARGUMENT, exit 2, naming the flag and the variable it came from) for an unknown flag, a
 * positional argument, a URL that is not http(s), an address that is not host:port or has port 0, or a bad duration.
 */
export function parseHealthArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedHealthArgs {
  let values: { url?: string; timeout?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: { url: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    argvError(err, 'health');
  }
  if (values.help === true) return { help: true };

  const fromFlagOrEnv = (flag: string, value: string | undefined, envName: string): Source | undefined => {
    if (value !== undefined) return { value, name: `--${flag}` };
    const envValue = env[envName];
    return envValue !== undefined && envValue !== '' ? { value: envValue, name: `--${flag} (from ${envName})` } : undefined;
  };
  const urlSource = fromFlagOrEnv('url', values.url, 'CLOUDLETD_HEALTH_URL');
  const timeoutSource = fromFlagOrEnv('timeout', values.timeout, 'CLOUDLETD_HEALTH_TIMEOUT');
  const metricsValue = env.CLOUDLETD_METRICS_ADDR;
  const url = urlSource
    ? httpUrl(urlSource)
    : healthUrlOfMetricsAddress(
        metricsValue !== undefined && metricsValue !== ''
          ? { value: metricsValue, name: 'CLOUDLETD_METRICS_ADDR' }
          : { value: HEALTH_DEFAULT_METRICS_ADDRESS, name: 'default metrics address' },
      );
  const timeoutMs = timeoutSource ? duration(timeoutSource) : HEALTH_DEFAULT_TIMEOUT_MS;
  return { help: false, url, timeoutMs };
}

/** An absolute http: or https: URL, as given. */
function httpUrl(source: Source): string {
  let url: URL;
  try {
    url = new URL(source.value);
  } catch {
    return fail(source, `${JSON.stringify(source.value)} is not a URL such as http://127.0.0.1:9091/healthz`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(source, `${JSON.stringify(source.value)} is not an http:// or https:// URL`);
  return url.href;
}

/**
 * `http://HOST:PORT/healthz` of a metrics listen address `HOST:PORT` (IPv6 in brackets); a wildcard host is probed
 * on loopback of the same family: `0.0.0.0` on `127.0.0.1`, `[::]` (any all-zero IPv6) on `[::1]`. Port 0 is
 * refused: it stands for whichever port the process got, which cannot be probed.
 */
export function healthUrlOfMetricsAddress(source: Source): string {
  if (/:0+$/.test(source.value)) fail(source, `${JSON.stringify(source.value)} has port 0 (any free port), which cannot be probed: give --url`);
  const value = address(source, { allowPortZero: false });
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon);
  const port = value.slice(colon + 1);
  return `http://${probeHost(host)}:${Number(port)}/healthz`;
}

/** The host to connect to for a listen host: loopback for a wildcard, the host itself otherwise. */
function probeHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host.startsWith('[') && /^[0:]+$/.test(host.slice(1, -1))) return '[::1]';
  return host;
}

/** Why a fetch failed, in a few words: connection refused, timeout, DNS... */
function failureReason(err: unknown, timeoutMs: number, signal: AbortSignal): string {
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError') return `timeout: no answer within ${formatDuration(timeoutMs)}`;
  if (name === 'AbortError' || signal.aborted) return 'interrupted';
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default: {
      const message = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
      return `${code ? `${code}: ` : ''}${message}`.replace(/\s+/g, ' ');
    }
  }
}

/**
 * `cloudletd health`: one GET of the health URL (see {@link parseHealthArgs}) under a deadline, also
 * ended by SIGTERM/SIGINT. Resolves 0 on a 2xx answer (one line on stdout: status and URL), 1 otherwise (one line
 * on stderr: the URL and why — `HTTP 503 ...` with an excerpt of the body, connection refused, timeout...), 2 on a
 * usage error. Redirects are not followed: a probe answers itself.
 */
export const healthCommand: Command = {
  name: 'health',
  summary: 'probe a /healthz URL: exit 0 when healthy, 1 when not (container HEALTHCHECK, systemd, monitoring)',
  async run(context: CommandContext): Promise<number> {
    const parsed = parseHealthArgs(context.argv, context.env);
    if (parsed.help) {
      context.stdout.write(`${HEALTH_USAGE}\n`);
      return 0;
    }
    const { url, timeoutMs } = parsed;
    const signal = withTimeout(context.signal, timeoutMs);
    try {
      const res = await fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json, text/plain' } });
      const body = (await res.text()).replace(/\s+/g, ' ').trim();
      if (res.status >= 200 && res.status < 300) {
        context.stdout.write(`cloudletd health: ${url}: HTTP ${res.status}${body ? ` ${excerpt(body)}` : ''}\n`);
        return 0;
      }
      context.stderr.write(`cloudletd health: ${url}: unhealthy: HTTP ${res.status} ${res.statusText}${body ? `: ${excerpt(body)}` : ''}\n`);
      return 1;
    } catch (err) {
      context.stderr.write(`cloudletd health: ${url}: unhealthy: ${failureReason(err, timeoutMs, context.signal)}\n`);
      return 1;
    }
  },
};

function excerpt(body: string): string {
  return body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}...` : body;
}
