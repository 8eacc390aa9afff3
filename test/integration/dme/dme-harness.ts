import * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { edgeprotoKinds, type EdgeprotoKinds } from '../../../src/cache/kinds.js';
import { ObjectCache } from '../../../src/cache/object-cache.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { DmeConfig } from '../../../src/dme/config.js';
import { Dme } from '../../../src/dme/dme.js';
import { MatchEngineApiClient } from '../../../src/gen/dme/app-client.js';
import type { App } from '../../../src/gen/edgeproto/app.js';
import type { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import type { Cloudlet, CloudletInfo } from '../../../src/gen/edgeproto/cloudlet.js';
import type { Node } from '../../../src/gen/edgeproto/node.js';
import { createNotifyMetrics } from '../../../src/metrics/notify-metrics.js';
import { createMetricsRegistry } from '../../../src/metrics/registry.js';
import { InfoCacheReceiver } from '../../../src/notify/info-receiver.js';
import type { AnyReceiver } from '../../../src/notify/receivers.js';
import { NotifyServer } from '../../../src/notify/server.js';

/**
 * A bare controller-side notify server that feeds a DME: it sends Cloudlet, App, AppInst and CloudletInfo from its
 * caches (which the test fills) and keeps the Nodes it receives. Restartable on the same port with the same data.
 */
export interface Feed {
  readonly kinds: EdgeprotoKinds;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly nodes: ObjectCache<Node>;
  readonly address: string;
  /** Stops the server (connected DMEs lose it); the caches stay. */
  stop(): Promise<void>;
  /** Starts the server again on the same port, over the same caches. */
  restart(): Promise<void>;
}

export async function startFeed(): Promise<Feed> {
  const kinds = edgeprotoKinds();
  const apps = new ObjectCache(kinds.app);
  const appInsts = new ObjectCache(kinds.appInst);
  const cloudlets = new ObjectCache(kinds.cloudlet);
  const cloudletInfos = new ObjectCache(kinds.cloudletInfo);
  const nodes = new ObjectCache(kinds.node);
  let server: NotifyServer | undefined;
  const listen = async (port: number): Promise<number> => {
    server = NotifyServer.create({
      kinds,
      sendCaches: [cloudlets, apps, appInsts, cloudletInfos] as ObjectCache<unknown>[],
      sendMessageKinds: [],
      receivers: [new InfoCacheReceiver(nodes), { kind: kinds.metric, message: () => undefined }] as AnyReceiver[],
      log: silentLogger(),
      metrics: createNotifyMetrics(createMetricsRegistry(), 'server', []),
    });
    return server.listen(`127.0.0.1:${port}`);
  };
  const port = await listen(0);
  return {
    kinds, apps, appInsts, cloudlets, cloudletInfos, nodes,
    address: `127.0.0.1:${port}`,
    stop: async () => {
      await server?.close();
      server = undefined;
    },
    restart: async () => {
      await listen(port);
    },
  };
}

/** A running Dme with a gRPC client and a REST helper. */
export interface TestDme {
  readonly dme: Dme;
  readonly registry: Registry;
  readonly grpc: MatchEngineApiClient;
  /** POSTs `body` (JSON.stringify'd unless a string) to the REST gateway. */
  rest(path: string, body: unknown, init?: { method?: string }): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

/** Starts a Dme on 127.0.0.1:0 (gRPC and REST) against `notifyAddresses`, key in memory, fast reconnects. */
export async function startTestDme(notifyAddresses: readonly string[], config: Partial<DmeConfig> = {}): Promise<TestDme> {
  const registry = createMetricsRegistry();
  const dme = await Dme.start({
    config: {
      notifyAddresses, apiAddress: '127.0.0.1:0', httpAddress: '127.0.0.1:0', carrier: '', sessionKeyFile: undefined,
      cookieTtlMs: 600_000, hostname: 'dme-test', reconnect: { initialMs: 20, maxMs: 100 }, ...config,
    },
    log: silentLogger(),
    registry,
  });
  const client = new MatchEngineApiClient(`127.0.0.1:${dme.apiPort}`, grpc.credentials.createInsecure());
  return {
    dme, registry, grpc: client,
    rest: async (path, body, init = {}) => {
      const res = await fetch(`http://127.0.0.1:${dme.httpPort}${path}`, {
        method: init.method ?? 'POST',
        ...(init.method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        headers: { 'Content-Type': 'application/json' },
      });
      const text = await res.text();
      return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
    },
    close: async () => {
      client.close();
      await dme.close();
    },
  };
}

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;

/** The outcome of one call on either transport: the reply, or the gRPC status code and message. */
export type CallOutcome<Res> = { readonly reply: Res } | { readonly code: number; readonly message: string };

/** Calls a generated unary client method; never rejects. */
export function grpcCall<Req, Res>(client: MatchEngineApiClient, method: (req: Req, cb: Callback<Res>) => unknown, request: Req): Promise<CallOutcome<Res>> {
  return new Promise((resolve) => {
    method.call(client, request, (err: grpc.ServiceError | null, res: Res) => resolve(err ? { code: err.code, message: err.details } : { reply: res }));
  });
}
