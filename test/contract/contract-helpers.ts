/**
 * Helpers of the platform driver contract suite: the driver handle a driver's test provides, specs built from the
 * real generated edgeproto types, operation contexts that record progress, and code assertions.
 */
import { expect } from 'vitest';
import { isCodedError, type Code, type CodedError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { App } from '../../src/gen/edgeproto/app.js';
import { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import { ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import { Flavor } from '../../src/gen/edgeproto/flavor.js';
import { matchPlatformFlavor } from '../../src/platform/flavor-match.js';
import type { AppInstSpec, ClusterInstSpec, OperationContext, Platform, PlatformFlavor } from '../../src/platform/platform.js';
import { keyString } from '../../src/wire/object-key.js';

/** The operations a driver handle can make hang (for the cancel checks). */
export type HangableOperation = 'createClusterInst' | 'createAppInst';

/** One driver under test, on its own fresh state (what `makeDriver` resolves to). */
export interface ContractDriver {
  /** The current driver: the latest one {@link restart} opened (a getter is fine). */
  readonly platform: Platform;
  /** Closes the current driver and opens a new one on the same state, as a CRM restart does. Resolves to it. */
  restart(): Promise<Platform>;
  /** Removes what the driver built and its state (temp dirs, containers...). Called after every check. */
  cleanup(): Promise<void>;
  /**
   * Optional: makes later calls of `op` on the current driver never finish until their signal aborts; returns the
   * function that ends this. Without it, the cancel checks abort a create when it first reports progress.
   */
  hang?(op: HangableOperation): () => void;
}

/** What every check gets: the driver of this check, its specs and the suite's options. */
export interface ContractCheck {
  readonly driver: ContractDriver;
  readonly specs: ContractSpecs;
  readonly options: PlatformContractOptions;
}

/** Builds a fresh driver for one check. */
export type MakeContractDriver = () => Promise<ContractDriver>;

/** Options of the contract suite. */
export interface PlatformContractOptions {
  /** Image of the App deployed by the checks. Default `registry.example/contract-app:1.0`. */
  readonly image?: string;
  /** App.deployment of the checks' App. Default `docker`. */
  readonly deployment?: string;
  /** App.command of the checks' App (a long-running command, for drivers that run the image). Default none. */
  readonly command?: string;
  /** App.access_ports of the checks' App. Default `tcp:8080`. */
  readonly accessPorts?: string;
  /** How soon (ms) after its signal aborts a call must reject. Default 1000. */
  readonly promptMs?: number;
}

/** An OperationContext whose progress messages are collected in `messages`. */
export interface RecordingContext extends OperationContext {
  readonly messages: string[];
}

/** A context with `signal` (default: never aborts) that records progress. */
export function recordingContext(signal: AbortSignal = new AbortController().signal, onProgress?: (message: string) => void): RecordingContext {
  const messages: string[] = [];
  return {
    signal,
    log: silentLogger(),
    messages,
    progress: (message) => {
      messages.push(message);
      onProgress?.(message);
    },
  };
}

/** A plain context that never aborts. */
export function ctx(): OperationContext {
  return recordingContext();
}

/** Resolves to the CodedError `promise` rejects with, after checking its code. Fails if it resolves. */
export async function expectCode(promise: Promise<unknown>, code: Code): Promise<CodedError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected a rejection with ${code}`).toBeDefined();
  expect(isCodedError(error), `not a CodedError: ${String(error)}`).toBe(true);
  expect((error as CodedError).code, (error as CodedError).message).toBe(code);
  return error as CodedError;
}

let serial = 0;

/**
 * Specs of one check, from the real generated types. Names carry a per-run random part and a serial number, so
 * drivers with shared real infrastructure (Docker...) never see another check's instances.
 */
export class ContractSpecs {
  readonly cloudletKey = { operator_key: { name: 'contract-op' }, name: 'contract-cloudlet' };
  readonly developer = 'contract-dev';
  private readonly suffix = `${Math.random().toString(36).slice(2, 8)}-${++serial}`;

  constructor(
    private readonly flavors: readonly PlatformFlavor[],
    private readonly options: PlatformContractOptions = {},
  ) {}

  /** The smallest platform flavor with 1 vCPU, 1 GB RAM, 1 GB disk. */
  nodeFlavor(): PlatformFlavor {
    return matchPlatformFlavor({ name: 'contract-small', vcpus: 1, ramMb: 1024, diskGb: 1 }, this.flavors);
  }

  /** A docker ClusterInst `c-<name>-<suffix>` with `numNodes` nodes and no masters. */
  clusterInst(name: string, numNodes = 1): ClusterInst {
    return ClusterInst.fromPartial({
      key: { cluster_key: { name: `c-${name}-${this.suffix}` }, cloudlet_key: this.cloudletKey, developer: this.developer },
      flavor: { name: 'contract-small' },
      num_masters: 0,
      num_nodes: numNodes,
      deployment: 'docker',
    });
  }

  clusterSpec(clusterInst: ClusterInst): ClusterInstSpec {
    return { key: keyString.clusterInst(clusterInst.key), clusterInst, nodeFlavor: this.nodeFlavor() };
  }

  app(name: string): App {
    return App.fromPartial({
      key: { developer_key: { name: this.developer }, name: `a-${name}-${this.suffix}`, version: '1.0' },
      image_path: this.options.image ?? 'registry.example/contract-app:1.0',
      access_ports: this.options.accessPorts ?? 'tcp:8080',
      command: this.options.command ?? '',
      deployment: this.options.deployment ?? 'docker',
      default_flavor: { name: 'contract-small' },
    });
  }

  /** An AppInst of `app` on `clusterInst`, with a small Flavor. */
  appSpec(app: App, clusterInst: ClusterInst): AppInstSpec {
    const appInst = AppInst.fromPartial({ key: { app_key: app.key, cluster_inst_key: clusterInst.key }, flavor: { name: 'contract-small' } });
    const flavor = Flavor.fromPartial({ key: { name: 'contract-small' }, ram: 1024n, vcpus: 1n, disk: 1n });
    return { key: keyString.appInst(appInst.key), appInst, app, clusterInst, flavor };
  }
}

/** The instance with `key` in the driver's list, if any. */
export async function listed(platform: Platform, key: string) {
  return (await platform.listInstances(ctx())).find((i) => i.key === key);
}
