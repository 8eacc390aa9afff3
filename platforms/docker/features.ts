/**
 * The optional powers of the Docker driver: exec (`docker exec … sh -c <command>`), logs (the last lines of the
 * main container) and runtime (container ids and usage from the stats API).
 */
import type Docker from 'dockerode';
import { failedPrecondition, notFound } from '../../src/core/errors.js';
import { sleep } from '../../src/core/abort.js';
import type { ExecCommand, ExecResult } from '../../src/platform/features.js';
import type { AppInstRuntime } from '../../src/platform/platform.js';
import { containerIdsOf, type AppContainer, type DockerApps } from './apps.js';
import { demultiplex, EXEC_TIMEOUT_MS, readStream, type DockerApi } from './docker-api.js';
import { describeKey } from './naming.js';

/** Most output an exec keeps (the rest is dropped, with a note at the end). */
export const EXEC_OUTPUT_LIMIT = 4 * 1024 * 1024;

/** Usage of one container from a stats answer: CPU seconds, memory without page cache, network bytes. Pure. */
export function usageOf(stats: Partial<Docker.ContainerStats> | undefined): { cpuSeconds: number; memoryBytes: number; rx: number; tx: number; hasNetwork: boolean } {
  const cpu = stats?.cpu_stats?.cpu_usage?.total_usage ?? 0;
  const memory = stats?.memory_stats;
  const inner = (memory?.stats ?? {}) as Record<string, number | undefined>;
  const cache = inner.total_inactive_file ?? inner.inactive_file ?? 0;
  const usage = memory?.usage ?? 0;
  let rx = 0;
  let tx = 0;
  const networks = stats?.networks ?? {};
  for (const n of Object.values(networks)) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { cpuSeconds: cpu / 1e9, memoryBytes: Math.max(0, usage - cache), rx, tx, hasNetwork: Object.keys(networks).length > 0 };
}

/** Exec, logs and runtime of one platform. */
export class DockerFeatures {
  constructor(
    private readonly api: DockerApi,
    private readonly apps: DockerApps,
  ) {}

  /** The AppInst's containers; NOT_FOUND (on `key`) when it has none. */
  private async containers(key: string, signal: AbortSignal): Promise<AppContainer[]> {
    const containers = (await this.apps.scan(signal, key)).get(key) ?? [];
    if (containers.length === 0) throw notFound(`${describeKey('AppInst', key)} on the Docker host`, 'key');
    return containers;
  }

  /** The container `containerId` (a name from runtime_info, or a Docker id or id prefix) or, when empty, the main one. */
  private async container(key: string, containerId: string, signal: AbortSignal): Promise<AppContainer> {
    const containers = await this.containers(key, signal);
    const found =
      containerId === ''
        ? containers[0]
        : containers.find((c) => c.name === containerId || c.role === containerId || (containerId.length >= 4 && c.id.startsWith(containerId)));
    if (!found) throw notFound(`container ${containerId} of ${describeKey('AppInst', key)}`, 'container_id');
    return found;
  }

  /**
   * Runs `sh -c <command>` in the container and returns its stdout and stderr, interleaved as written, and its exit
   * code. NOT_FOUND for a missing AppInst or container; FAILED_PRECONDITION when the container is not running.
   */
  async exec(command: ExecCommand, signal: AbortSignal): Promise<ExecResult> {
    const c = await this.container(command.key, command.containerId, signal);
    if (c.state !== 'running') throw failedPrecondition(`container ${c.name} of ${describeKey('AppInst', command.key)} is ${c.state}, not running`);
    const { api } = this;
    return api.call(
      `exec in ${c.name}`,
      signal,
      async (s) => {
        const exec = await api.docker.getContainer(c.id).exec({ Cmd: ['sh', '-c', command.command], AttachStdout: true, AttachStderr: true, abortSignal: s });
        const stream = (await exec.start({ hijack: false, stdin: false, abortSignal: s })) as NodeJS.ReadableStream;
        const { data, dropped } = await readStream(stream, s, EXEC_OUTPUT_LIMIT);
        let info = await exec.inspect({ abortSignal: s } as object);
        for (let i = 0; info.Running && i < 50; i++) {
          await sleep(20, s);
          info = await exec.inspect({ abortSignal: s } as object);
        }
        const output = demultiplex(data) + (dropped > 0 ? `\n[${dropped} more bytes of output dropped]\n` : '');
        return { output, exitCode: info.ExitCode ?? -1 };
      },
      { timeoutMs: EXEC_TIMEOUT_MS },
    );
  }

  /** The last `lines` lines (all when ≤ 0) of the main container's stdout and stderr. NOT_FOUND for a missing AppInst. */
  async tail(key: string, lines: number, signal: AbortSignal): Promise<string> {
    const c = await this.container(key, '', signal);
    const { api } = this;
    const tail = lines > 0 ? Math.floor(lines) : 'all';
    const data = await api.call(`logs of ${c.name}`, signal, (s) =>
      api.docker.getContainer(c.id).logs({ stdout: true, stderr: true, follow: false, tail, abortSignal: s } as Docker.ContainerLogsOptions & { follow?: false }),
    );
    return demultiplex(Buffer.isBuffer(data) ? data : Buffer.from(String(data)));
  }

  /**
   * Container ids and usage summed over the AppInst's running containers: CPU seconds, memory (without page
   * cache) and network bytes (absent in host network mode). NOT_FOUND for a missing AppInst.
   */
  async runtime(key: string, signal: AbortSignal): Promise<AppInstRuntime> {
    const containers = await this.containers(key, signal);
    const { api } = this;
    let cpuSeconds = 0;
    let memoryBytes = 0;
    let rx = 0;
    let tx = 0;
    let hasNetwork = false;
    for (const c of containers.filter((x) => x.state === 'running')) {
      const stats = await api.call(`stats of ${c.name}`, signal, (s) =>
        api.docker.getContainer(c.id).stats({ stream: false, 'one-shot': true, abortSignal: s } as { stream?: false; 'one-shot'?: boolean }),
      );
      const u = usageOf(stats);
      cpuSeconds += u.cpuSeconds;
      memoryBytes += u.memoryBytes;
      rx += u.rx;
      tx += u.tx;
      hasNetwork ||= u.hasNetwork;
    }
    return {
      containerIds: containerIdsOf(containers),
      cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
      memoryBytes,
      ...(hasNetwork ? { networkRxBytes: rx, networkTxBytes: tx } : {}),
    };
  }
}
