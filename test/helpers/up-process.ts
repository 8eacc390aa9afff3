import { spawnCli, type CliProcess } from './controller-process.js';
import { waitFor } from './wait-for.js';

/** Flags that put every listener of `cloudletd up` on a free port of 127.0.0.1. */
export const UP_EPHEMERAL_FLAGS: readonly string[] = [
  '--api-addr', '127.0.0.1:0', '--notify-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--dme-api-addr', '127.0.0.1:0',
  '--dme-http-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0',
];

/** A running `cloudletd up` and what the first line of its summary says. */
export interface UpProcess {
  readonly proc: CliProcess;
  readonly line: string;
  readonly apiAddress: string;
  readonly notifyAddress: string;
  readonly metricsUrl: string;
  readonly dmeApiAddress: string;
  readonly dmeHttpUrl: string;
  /** The controller's REST gateway, `http://host:port`. */
  readonly restUrl: string;
}

/** The first line of `cloudletd up`'s summary, with the bound addresses. */
export const UP_SUMMARY =
  /^cloudletd is up(, but \d+ demo step\(s\) failed)?: controller API (\S+), notify (\S+), metrics (http:\/\/\S+)\/metrics, DME gRPC (\S+), DME REST (http:\/\/\S+), controller REST (http:\/\/\S+)$/;

/**
 * Spawns `cloudletd up <args>` and resolves at its summary line; rejects, with its output, if it exits first or
 * the summary does not come within `timeoutMs` (the process is then killed). The caller kills it in the end.
 */
export async function spawnUp(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<UpProcess> {
  const proc = spawnCli(['up', ...args], options.env);
  const summary = waitFor(() => proc.stdout.map((line) => UP_SUMMARY.exec(line)).find((m) => m !== null), {
    timeoutMs: options.timeoutMs ?? 90_000, intervalMs: 20, message: 'the summary line',
  });
  const exit = proc.exited.then((e) => {
    throw new Error(`exited (${e.code ?? e.signal}) before the summary`);
  });
  const match = await Promise.race([summary, exit]).catch(async (err: unknown) => {
    proc.child.kill('SIGKILL');
    await proc.exited;
    throw new Error(`cloudletd up did not come up: ${String(err)}\nstdout:\n${proc.stdout.join('\n')}\nstderr:\n${proc.stderr()}`);
  });
  exit.catch(() => undefined);
  return {
    proc, line: match[0], apiAddress: match[2] ?? '', notifyAddress: match[3] ?? '', metricsUrl: match[4] ?? '', dmeApiAddress: match[5] ?? '',
    dmeHttpUrl: match[6] ?? '', restUrl: match[7] ?? '',
  };
}
