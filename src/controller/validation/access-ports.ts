import { invalidArgument } from '../../core/errors.js';
import { LProto } from '../../gen/dme/appcommon.js';

/** One parsed item of `App.access_ports`: the protocol and the port the app listens on. */
export interface AccessPort {
  readonly proto: LProto.L_PROTO_TCP | LProto.L_PROTO_UDP | LProto.L_PROTO_HTTP;
  /** 1–65535. */
  readonly port: number;
}

const PROTOCOLS: Readonly<Record<string, AccessPort['proto']>> = Object.freeze({
  tcp: LProto.L_PROTO_TCP,
  udp: LProto.L_PROTO_UDP,
  http: LProto.L_PROTO_HTTP,
});

const FIELD = 'access_ports';

function parseItem(item: string, index: number): AccessPort {
  if (item === '') throw invalidArgument(FIELD, `item ${index + 1} is empty; expected protocol:port such as tcp:80`);
  const parts = item.split(':').map((p) => p.trim());
  if (parts.length !== 2) throw invalidArgument(FIELD, `"${item}" is not protocol:port such as tcp:80`);
  const [protoText = '', portText = ''] = parts;
  const proto = PROTOCOLS[protoText.toLowerCase()];
  if (proto === undefined) throw invalidArgument(FIELD, `"${item}": protocol "${protoText}" is not one of tcp, udp, http`);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw invalidArgument(FIELD, `"${item}": port "${portText}" is not an integer from 1 to 65535`);
  return { proto, port };
}

/**
 * Parses `App.access_ports`, the comma-separated `protocol:port` list of the original (`tcp:80,udp:10002,http:443`).
 * Protocols are tcp, udp and http in any case; ports are decimal integers 1–65535; whitespace around items and
 * around `:` is ignored; an empty (or all-whitespace) string gives `[]`. Items keep their order. Throws
 * INVALID_ARGUMENT naming `access_ports` and the offending item for an empty item, a missing or extra `:`, an
 * unknown protocol, a bad port, or a repeated protocol:port pair. Pure.
 */
export function parseAccessPorts(accessPorts: string): AccessPort[] {
  if (accessPorts.trim() === '') return [];
  const seen = new Set<string>();
  return accessPorts.split(',').map((raw, index) => {
    const item = raw.trim();
    const parsed = parseItem(item, index);
    const id = `${parsed.proto}:${parsed.port}`;
    if (seen.has(id)) throw invalidArgument(FIELD, `"${item}" is listed more than once`);
    seen.add(id);
    return parsed;
  });
}
