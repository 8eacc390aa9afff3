/**
 * The public surface of the DME, declared for the cli and `cloudletd up` (implemented in dme.ts).
 *
 *   const dme = await Dme.start({ config, log, registry });   // listens on config.apiAddress and config.httpAddress
 *   dme.apiPort, dme.httpPort                                   // the bound ports (port 0 resolved)
 *   dme.status()                                                // { connected, synced, apps, appInsts, cloudlets }
 *   await dme.whenSynced(signal)                                // first complete send-all from the controller
 *   await dme.close()                                           // idempotent graceful stop
 */
export interface DmeStatus {
  /** A notify connection to the controller is up. */
  readonly connected: boolean;
  /** The current connection has received the controller's full send-all. */
  readonly synced: boolean;
  readonly apps: number;
  readonly appInsts: number;
  readonly cloudlets: number;
}
