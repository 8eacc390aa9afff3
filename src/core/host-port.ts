import { CodedError, Code } from './errors.js';

/** `host:port`: a host name, an IPv4 address or a bracketed IPv6 address, and a port of up to five digits. */
export const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/;

/** A listen address split for `net.Server.listen`: the host (IPv6 without brackets) and the port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Splits a `host:port` address (port 0: any free port). Throws INVALID_ARGUMENT on `field` (the flag that set it,
 * e.g. `http-addr`) when it is not host:port with a port in 0..65535. Pure.
 */
export function parseHostPort(address: string, field: string): HostPort {
  const match = HOST_PORT.exec(address);
  const port = Number(match?.[2]);
  if (!match?.[1] || port > 65535) {
    throw new CodedError(Code.INVALID_ARGUMENT, `${JSON.stringify(address)} is not host:port (port 0..65535)`, { field });
  }
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}
