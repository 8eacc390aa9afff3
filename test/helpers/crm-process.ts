import { spawnCli, type CliProcess, type Exit } from './controller-process.js';

/** A started `cloudletd crm` process. */
export interface CrmProcess extends CliProcess {
  readonly metricsAddress: string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * Spawns `cloudletd crm <args>` (JSON logs, metrics on 127.0.0.1:0 unless given) and resolves once it logged
 * `crm started`, reading the metrics address from that line. Rejects (and kills the child) if it exits first or is
 * not started within `timeoutMs`.
 */
export async function spawnCrm(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CrmProcess> {
  const extra = args.includes('--metrics-addr') ? [] : ['--metrics-addr', '127.0.0.1:0'];
  const proc = spawnCli(['crm', '--log-format', 'json', ...extra, ...args], options.env);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const metricsAddress = await new Promise<string>((resolve, reject) => {
    let scanned = 0;
    const timer = setTimeout(() => fail(new Error(`crm not started within ${timeoutMs} ms: ${proc.stderr()}`)), timeoutMs);
    const poll = setInterval(() => {
      for (; scanned < proc.stdout.length; scanned++) {
        const line = proc.stdout[scanned] ?? '';
        if (!line.startsWith('{')) continue;
        const record = JSON.parse(line) as { msg?: string; metricsAddress?: string };
        if (record.msg === 'crm started' && record.metricsAddress !== undefined) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(record.metricsAddress);
          return;
        }
      }
    }, 5);
    function fail(err: Error): void {
      clearTimeout(timer);
      clearInterval(poll);
      proc.child.kill('SIGKILL');
      reject(err);
    }
    void proc.exited.then((exit) => fail(new Error(`crm exited (${exit.code ?? exit.signal}) before it started: ${proc.stderr()}`)));
  });
  return {
    ...proc,
    metricsAddress,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      proc.child.kill(signal);
      return proc.exited;
    },
  };
}
