import type { ReconnectOptions } from '../notify/client.js';

/** Everything a {@link Dme} needs, validated by the cli. */
export interface DmeConfig {
  /** Controller notify addresses (`host:port`), tried round robin. */
  readonly notifyAddresses: readonly string[];
  /** gRPC listen address of `distributed_match_engine.MatchEngineApi` (port 0: any free port). */
  readonly apiAddress: string;
  /** HTTP listen address of the REST gateway (`POST /v1/registerclient`...) (port 0: any free port). */
  readonly httpAddress: string;
  /** The operator this DME serves (FindCloudlet's default carrier); empty: any. */
  readonly carrier: string;
  /**
   * A PEM file with the RSA private key that signs session cookies. Missing file: generated and written there (mode
   * 0600), so cookies survive a restart. Undefined: a key generated in memory at start.
   */
  readonly sessionKeyFile: string | undefined;
  /** Lifetime of a session cookie, in ms. */
  readonly cookieTtlMs: number;
  /** Node name reported to the controller (Node.key.name, NODE_DME). */
  readonly hostname: string;
  readonly reconnect?: Partial<ReconnectOptions>;
}

/** Defaults of the tunables. */
export const DME_DEFAULTS = Object.freeze({
  apiAddress: '127.0.0.1:50051',
  httpAddress: '127.0.0.1:38001',
  carrier: '',
  cookieTtlMs: 24 * 60 * 60_000,
});
