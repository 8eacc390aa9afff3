/**
 * The DME of `cloudletd up`: started in the process next to the controller and the CRMs, dialing the controller's
 * notify address as they do, and the check that it finds the demo app. Kept apart from up-command.ts, which wires
 * everything together.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { withTimeout } from '../core/abort.js';
import { asCodedError, Code, CodedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { DME_DEFAULTS, type DmeConfig } from '../dme/config.js';
import type { DmeStatus } from '../dme/dme-api.js';
import type { Dme } from '../dme/dme.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { DEMO_CLIENT_APP, waitDemoCloudletFound } from './demo-dme.js';
import { DME_FLAG_OF_FIELD } from './dme-command.js';
import type { UpConfig } from './up-config.js';
import type { CheckItem } from './up-progress.js';

/** `host:port` with the port replaced by the bound one. Pure. */
export function withPort(address: string, port: number): string {
  return `${address.slice(0, address.lastIndexOf(':'))}:${port}`;
}

/** The address a local client dials for a listen address: the wildcard hosts become loopback. Pure. */
export function dialAddress(address: string, port: number): string {
  const host = address.slice(0, address.lastIndexOf(':'));
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `${local}:${port}`;
}

/** The flags of `up` that set what the DME's own flags set (the others have no counterpart in `up`). */
const UP_FLAG_OF_DME_FLAG: Readonly<Record<string, string>> = { '--api-addr': '--dme-api-addr', '--http-addr': '--dme-http-addr' };

/**
 * A DME start error as `up` reports it: prefixed with the `up` flag it is about (`--dme-api-addr: ...`), else with
 * `DME: `, and without a field, so that the controller's flag names are never put on it.
 */
function dmeStartError(err: unknown): CodedError {
  const coded = asCodedError(err);
  const dmeFlag = coded.field === undefined ? undefined : DME_FLAG_OF_FIELD[coded.field];
  const flag = dmeFlag === undefined ? undefined : UP_FLAG_OF_DME_FLAG[dmeFlag];
  return new CodedError(coded.code, `${flag ?? 'DME'}: ${coded.message}`, { cause: coded });
}

/** A one-line description of the DME's status, for its progress line. Pure. */
export function describeDme(s: DmeStatus): string {
  if (!s.connected) return 'connecting to the controller';
  if (!s.synced) return 'connected; receiving the send-all';
  return `synced (${s.appInsts} AppInsts of ${s.apps} apps on ${s.cloudlets} cloudlets)`;
}

/** What {@link startUpDme} needs. */
export interface UpDmeOptions {
  readonly config: UpConfig;
  readonly dataDir: string;
  /** The controller's notify address as a local client dials it. */
  readonly notifyDial: string;
  readonly log: Logger;
  /** Shutdown. */
  readonly signal: AbortSignal;
  readonly progress: (message: string) => void;
  /** Called as soon as the DME runs, before it is synced, so that a failed wait still leaves it to be closed. */
  readonly started: (dme: Dme, registry: Registry) => void;
}

/** A started DME of `up`, with its addresses. */
export interface UpDme {
  readonly dme: Dme;
  /** Bound gRPC address (`host:port`). */
  readonly apiAddress: string;
  /** Base URL of the REST gateway as a local client dials it (`http://127.0.0.1:38001`). */
  readonly httpUrl: string;
  /** The progress step's final title. */
  readonly title: string;
}

/**
 * Starts the DME (its session key in `<data-dir>/dme/session-key.pem`, so cookies survive a restart of `up`; its
 * metrics in a registry of their own with the default label `dme="<host>-dme"`) and waits, within
 * `--ready-timeout`, until it has the controller's full send-all. Rejects with a one-line CodedError naming the
 * `up` flag (`--dme-api-addr: ...`), DEADLINE_EXCEEDED with the DME's state, or the signal's reason.
 */
export async function startUpDme(options: UpDmeOptions): Promise<UpDme> {
  const { config, progress } = options;
  const dmeConfig: DmeConfig = {
    notifyAddresses: [options.notifyDial],
    apiAddress: config.dmeApiAddr,
    httpAddress: config.dmeHttpAddr,
    carrier: DME_DEFAULTS.carrier,
    sessionKeyFile: join(options.dataDir, 'dme', 'session-key.pem'),
    cookieTtlMs: DME_DEFAULTS.cookieTtlMs,
    hostname: `${hostname()}-dme`,
  };
  const registry = createMetricsRegistry();
  registry.setDefaultLabels({ dme: dmeConfig.hostname });
  progress('starting');
  let dme: Dme;
  try {
    const { Dme } = await import('../dme/dme.js');
    dme = await Dme.start({ config: dmeConfig, log: options.log.child({ component: 'dme' }), registry });
  } catch (err) {
    throw dmeStartError(err);
  }
  options.started(dme, registry);
  const apiAddress = withPort(config.dmeApiAddr, dme.apiPort);
  const httpUrl = `http://${dialAddress(config.dmeHttpAddr, dme.httpPort)}`;
  let shown = describeDme(dme.status());
  progress(shown);
  const timer = setInterval(() => {
    const now = describeDme(dme.status());
    if (now !== shown) progress((shown = now));
  }, 200);
  try {
    await dme.whenSynced(withTimeout(options.signal, config.readyTimeoutMs));
  } catch (err) {
    if (options.signal.aborted) throw err;
    throw new CodedError(Code.DEADLINE_EXCEEDED, `DME not synced within ${Math.round(config.readyTimeoutMs / 1000)} s: ${describeDme(dme.status())}`, { cause: err });
  } finally {
    clearInterval(timer);
  }
  return { dme, apiAddress, httpUrl, title: `DME synced: gRPC ${apiAddress}, REST http://${withPort(config.dmeHttpAddr, dme.httpPort)}` };
}

/**
 * The check of `up --demo`: the DME at `httpUrl()` finds the demo app from Berlin over REST (the summary's curl
 * example), retried until the step's deadline. Its final title names the fqdn found.
 */
export function dmeCheck(httpUrl: () => string): CheckItem {
  const title = `DME finds ${DEMO_CLIENT_APP.name} ${DEMO_CLIENT_APP.version} from Berlin`;
  return {
    title,
    run: async (ctx) => {
      const answer = await waitDemoCloudletFound(httpUrl(), { signal: ctx.signal, timeoutMs: ctx.timeoutMs, progress: (message) => ctx.progress(message) });
      return `${title}: ${answer.fqdn ?? '(no fqdn)'}`;
    },
  };
}
