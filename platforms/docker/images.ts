/**
 * Images on the Docker host: present, or pulled according to the pull policy, with the registry credentials of
 * the settings sent only to that registry. An image that is missing and cannot be pulled rejects NOT_FOUND with
 * the image name and the daemon's reason (the AppInst's CREATE_ERROR).
 */
import { Code, CodedError, isCodedError } from '../../src/core/errors.js';
import type { OperationContext } from '../../src/platform/platform.js';
import { daemonReason, PULL_TIMEOUT_MS, type DockerApi } from './docker-api.js';
import type { DockerPullPolicy, DockerRegistryAuth } from './settings.js';

/** Codes that say "try again later" rather than "this image cannot be had": passed on unchanged. */
const PASS_ON = new Set<Code>([Code.UNAVAILABLE, Code.CANCELLED, Code.DEADLINE_EXCEEDED, Code.FAILED_PRECONDITION]);

/**
 * The registry host of an image reference, lower case: its first path component when that has a `.` or `:` or is
 * `localhost`, else `docker.io`. Pure.
 */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first.toLowerCase() : 'docker.io';
}

/** The reason of a CodedError made by DockerApi (its cause's daemon reason), else its message. */
function reasonOf(e: CodedError): string {
  return e.cause === undefined ? e.message : daemonReason(e.cause);
}

/** One line of a pull's JSON progress stream (the fields the driver reads). */
interface PullEvent {
  readonly status?: string;
  readonly id?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/** Reads a pull's progress stream to its end; reports the overall status lines; rejects with the first error event. */
async function followPull(stream: NodeJS.ReadableStream, image: string, ctx: OperationContext, signal: AbortSignal): Promise<void> {
  let buffered = '';
  let failure: string | undefined;
  const handle = (line: string): void => {
    if (line.trim() === '') return;
    let event: PullEvent;
    try {
      event = JSON.parse(line) as PullEvent;
    } catch {
      return;
    }
    if (event.error !== undefined || event.errorDetail?.message !== undefined) failure ??= event.errorDetail?.message ?? event.error;
    else if (event.status && event.id === undefined) ctx.progress(`pulling image ${image}: ${event.status}`);
  };
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      (stream as { destroy?: () => void }).destroy?.();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (error?: Error): void => {
      signal.removeEventListener('abort', onAbort);
      handle(buffered);
      buffered = '';
      if (error !== undefined) reject(error);
      else resolve();
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(handle);
    });
    stream.on('end', () => finish());
    stream.on('close', () => finish());
    stream.on('error', (e: Error) => finish(e));
  });
  if (failure !== undefined) throw new CodedError(Code.NOT_FOUND, `image ${image} cannot be pulled: ${failure}`, { field: 'app.image_path' });
}

/**
 * Makes sure `image` is on the host: `missing` pulls it when absent, `always` pulls it every time, `never` only
 * checks (NOT_FOUND when absent). A failed pull rejects NOT_FOUND on `app.image_path`: `image <name> cannot be
 * pulled: <the daemon's reason>`; an unreachable daemon, a cancellation or a deadline reject as such.
 */
export async function ensureImage(
  api: DockerApi,
  image: string,
  policy: DockerPullPolicy,
  auth: DockerRegistryAuth | undefined,
  ctx: OperationContext,
  signal: AbortSignal,
): Promise<void> {
  if (policy !== 'always') {
    const present = await api.call(`inspect image ${image}`, signal, async (s) => {
      await api.docker.getImage(image).inspect({ abortSignal: s } as object);
      return true;
    }, { on: { 404: () => false } });
    if (present) return;
    if (policy === 'never') {
      throw new CodedError(Code.NOT_FOUND, `image ${image} not found on the Docker host, and platform.pull is never`, { field: 'app.image_path' });
    }
  }
  ctx.progress(`pulling image ${image}`);
  const authconfig = auth && auth.password !== '' && registryOf(image) === auth.registry ? { username: auth.username, password: auth.password, serveraddress: auth.registry } : undefined;
  try {
    await api.call(
      `pull ${image}`,
      signal,
      async (s) => {
        const stream = (await api.docker.pull(image, { abortSignal: s, ...(authconfig ? { authconfig } : {}) }));
        await followPull(stream, image, ctx, s);
      },
      { timeoutMs: PULL_TIMEOUT_MS },
    );
  } catch (e) {
    if (!isCodedError(e) || PASS_ON.has(e.code) || e.field === 'app.image_path') throw e;
    throw new CodedError(Code.NOT_FOUND, `image ${image} cannot be pulled: ${reasonOf(e)}`, { field: 'app.image_path', cause: e });
  }
  ctx.progress(`pulled image ${image}`);
}
