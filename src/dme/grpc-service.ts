import * as grpc from '@grpc/grpc-js';
import { Code, CodedError, toGrpcStatus } from '../core/errors.js';
import { MatchEngineApiService, type MatchEngineApiServer } from '../gen/dme/app-client.js';
import { DME_METHODS, type ApiCaller } from './api-call.js';

/** The `distributed_match_engine.MatchEngineApi` implementation over an {@link ApiCaller}. */
export function matchEngineImplementation(caller: ApiCaller): MatchEngineApiServer {
  const implementation: Record<string, grpc.handleUnaryCall<unknown, unknown>> = {};
  for (const m of DME_METHODS) {
    implementation[m.grpcKey] = (call, callback) => {
      caller.call(m, call.request).then(
        (reply) => callback(null, reply),
        (err: CodedError) => callback({ code: toGrpcStatus(err.code), details: err.message }),
      );
    };
  }
  return implementation as unknown as MatchEngineApiServer;
}

/**
 * Starts a gRPC server on `address` (`host:port`, port 0: any free port) serving MatchEngineApi. Resolves with the
 * server and its bound port; rejects with UNAVAILABLE on field `api-addr` when it cannot listen.
 */
export async function startGrpcServer(address: string, caller: ApiCaller): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(MatchEngineApiService, matchEngineImplementation(caller));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(new CodedError(Code.UNAVAILABLE, `cannot listen on ${address}: ${err.message}`, { field: 'api-addr', cause: err }));
      else resolve(bound);
    });
  });
  return { server, port };
}

/** Stops accepting calls, lets running ones finish for up to `graceMs`, then cuts the rest. */
export async function stopGrpcServer(server: grpc.Server, graceMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  server.forceShutdown();
}
