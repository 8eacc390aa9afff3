import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (where `src/cli/main.ts` is). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A `cloudletd` child process, with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Complete stdout lines so far. */
  readonly stdout: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  readonly exited: Promise<Exit>;
}

/** Spawns `node --import tsx src/cli/main.ts <args>` in the repository root with `env` added to the environment. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    stdout.push(...lines);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout, stderr: () => stderr, exited };
}

/** A started `cloudletd controller` process. */
export interface ControllerProcess extends CliProcess {
  readonly apiAddress: string;
  readonly notifyAddress: string;
  /** The REST gateway's bound port, from the `controller started` line. */
  readonly httpPort: number | undefined;
  /** Milliseconds from spawn to the `controller started` log line. */
  readonly readyMs: number;
  /** Sends `signal` (default SIGTERM) and resolves with the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * Spawns `cloudletd controller <args>` (JSON logs) and resolves once it logged `controller started`, reading the
 * bound ports from that line. The REST gateway listens on an ephemeral port unless `args` or `env` name one, so
 * parallel tests never compete for the default port. Rejects (and kills the child) if it exits first or is not ready within `timeoutMs`.
 */
export async function spawnController(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ControllerProcess> {
  const started = performance.now();
  const namesHttp = args.some((a) => a === '--http-addr' || a.startsWith('--http-addr=')) || options.env?.CLOUDLETD_HTTP_ADDR !== undefined;
  const proc = spawnCli(['controller', '--log-format', 'json', ...(namesHttp ? [] : ['--http-addr', '127.0.0.1:0']), ...args], options.env);
  const ready = await new Promise<{ apiPort: number; notifyPort: number; httpPort?: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`controller not ready within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    const poll = setInterval(() => {
      for (const line of proc.stdout) {
        if (!line.startsWith('{')) continue;
        const record = JSON.parse(line) as { msg?: string; apiPort?: number; notifyPort?: number; httpPort?: number };
        if (record.msg === 'controller started' && record.apiPort !== undefined && record.notifyPort !== undefined) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve({ apiPort: record.apiPort, notifyPort: record.notifyPort, ...(record.httpPort === undefined ? {} : { httpPort: record.httpPort }) });
          return;
        }
      }
    }, 2);
    function fail(err: Error): void {
      clearTimeout(timer);
      clearInterval(poll);
      proc.child.kill('SIGKILL');
      reject(err);
    }
    void proc.exited.then((exit) => fail(new Error(`controller exited (${exit.code ?? exit.signal}) before it was ready: ${proc.stderr()}`)));
  });
  const readyMs = performance.now() - started;
  return {
    ...proc,
    apiAddress: `127.0.0.1:${ready.apiPort}`,
    notifyAddress: `127.0.0.1:${ready.notifyPort}`,
    httpPort: ready.httpPort,
    readyMs,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      proc.child.kill(signal);
      return proc.exited;
    },
  };
}
