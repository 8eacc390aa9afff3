/**
 * Image pulls and daemon calls against a scripted stand-in daemon on a unix socket: registry credentials go only to
 * their registry, a failed pull rejects NOT_FOUND with the image and the daemon's reason, and a daemon that never
 * answers is left as soon as the caller's signal aborts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { DockerApi } from '../../../../platforms/docker/docker-api.js';
import { ensureImage } from '../../../../platforms/docker/images.js';
import { ctx, expectCode, recordingContext } from '../../../contract/contract-helpers.js';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly auth: unknown;
}

let dir: string;
let server: Server;
let api: DockerApi;
let seen: Seen[];
let handler: (req: IncomingMessage, res: ServerResponse) => void;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cloudletd-fake-dockerd-'));
  seen = [];
  handler = (_req, res) => res.writeHead(500).end('{"message":"unscripted"}');
  server = createServer((req, res) => {
    const header = req.headers['x-registry-auth'];
    const auth = typeof header === 'string' ? (JSON.parse(Buffer.from(header, 'base64').toString()) as unknown) : undefined;
    seen.push({ method: req.method ?? '', path: req.url ?? '', auth });
    handler(req, res);
  });
  const socket = join(dir, 'docker.sock');
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  api = new DockerApi(socket);
});

afterEach(async () => {
  api.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const AUTH = { registry: 'registry.example.com', username: 'bot', password: 'pw' };

describe('ensureImage', () => {
  it('pulls a missing image, with credentials only for the configured registry', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/images/create')) res.writeHead(200).end('{"status":"Pulling from a"}\n{"status":"Status: Downloaded newer image"}\n');
      else res.writeHead(404).end('{"message":"No such image"}');
    };
    const progress = recordingContext();
    await ensureImage(api, 'registry.example.com/team/app:1', 'missing', AUTH, progress, new AbortController().signal);
    await ensureImage(api, 'other.example.org/app:2', 'missing', AUTH, ctx(), new AbortController().signal);
    const pulls = seen.filter((s) => s.path.startsWith('/images/create'));
    expect(pulls.map((p) => p.path)).toEqual([
      '/images/create?fromImage=registry.example.com%2Fteam%2Fapp&tag=1',
      '/images/create?fromImage=other.example.org%2Fapp&tag=2',
    ]);
    expect(pulls.map((p) => p.auth)).toEqual([{ username: 'bot', password: 'pw', serveraddress: 'registry.example.com' }, undefined]);
    expect(progress.messages).toContain('pulling image registry.example.com/team/app:1: Status: Downloaded newer image');
  });

  it('checks only, without pulling, for pull never; pulls every time for pull always', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/images/create')) res.writeHead(200).end('{"status":"ok"}\n');
      else res.writeHead(200).end('{"Id":"sha256:1"}');
    };
    await ensureImage(api, 'a.example/x:1', 'never', undefined, ctx(), new AbortController().signal);
    await ensureImage(api, 'a.example/x:1', 'missing', undefined, ctx(), new AbortController().signal);
    expect(seen.filter((s) => s.path.startsWith('/images/create'))).toEqual([]);
    await ensureImage(api, 'a.example/x:1', 'always', undefined, ctx(), new AbortController().signal);
    expect(seen.filter((s) => s.path.startsWith('/images/create'))).toHaveLength(1);
    handler = (_req, res) => res.writeHead(404).end('{"message":"No such image: a.example/x:2"}');
    const error = await expectCode(ensureImage(api, 'a.example/x:2', 'never', undefined, ctx(), new AbortController().signal), Code.NOT_FOUND);
    expect(error.message).toBe('image a.example/x:2 not found on the Docker host, and platform.pull is never');
  });

  it('rejects NOT_FOUND with the image and the reason, for an error in the stream or a refused request', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/images/create')) res.writeHead(200).end('{"status":"Pulling"}\n{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n');
      else res.writeHead(404).end('{"message":"No such image"}');
    };
    const inStream = await expectCode(ensureImage(api, 'a.example/x:3', 'missing', undefined, ctx(), new AbortController().signal), Code.NOT_FOUND);
    expect(inStream.message).toBe('image a.example/x:3 cannot be pulled: manifest unknown');
    expect(inStream.field).toBe('app.image_path');
    handler = (req, res) => {
      if (req.url?.startsWith('/images/create')) res.writeHead(500).end('{"message":"Get \\"https://a.example/v2/\\": dial tcp: lookup a.example: no such host"}');
      else res.writeHead(404).end('{"message":"No such image"}');
    };
    const refused = await expectCode(ensureImage(api, 'a.example/x:4', 'missing', undefined, ctx(), new AbortController().signal), Code.NOT_FOUND);
    expect(refused.message).toBe('image a.example/x:4 cannot be pulled: Get "https://a.example/v2/": dial tcp: lookup a.example: no such host');
  });
});

describe('DockerApi.call', () => {
  it('leaves a daemon that never answers as soon as the signal aborts, and after close', async () => {
    handler = () => undefined; // never answers
    const controller = new AbortController();
    const started = performance.now();
    const pending = api.call('info', controller.signal, (s) => api.docker.listContainers({ abortSignal: s }));
    setTimeout(() => controller.abort(), 50);
    await expectCode(pending, Code.CANCELLED);
    expect(performance.now() - started).toBeLessThan(1000);
    await expectCode(api.call('info', AbortSignal.timeout(50), (s) => api.docker.listContainers({ abortSignal: s })), Code.DEADLINE_EXCEEDED);
    const closing = api.call('info', new AbortController().signal, (s) => api.docker.listContainers({ abortSignal: s }));
    api.close();
    await expectCode(closing, Code.CANCELLED);
    await expectCode(api.call('info', new AbortController().signal, (s) => api.docker.listContainers({ abortSignal: s })), Code.FAILED_PRECONDITION);
  });

  it('maps the daemon HTTP status to codes, and lets the caller take some statuses as answers', async () => {
    const answer = (status: number) => {
      handler = (_req, res) => res.writeHead(status).end('{"message":"because"}');
    };
    const list = (on?: Record<number, () => string>) => api.call('list', new AbortController().signal, (s) => api.docker.listContainers({ abortSignal: s }).then(() => 'ok'), on ? { on } : {});
    for (const [status, code] of [[404, Code.NOT_FOUND], [409, Code.FAILED_PRECONDITION], [500, Code.INTERNAL], [503, Code.UNAVAILABLE]] as const) {
      answer(status);
      expect((await expectCode(list(), code)).message).toBe('docker list failed: because');
    }
    answer(404);
    expect(await list({ 404: () => 'absent' })).toBe('absent');
  });
});
