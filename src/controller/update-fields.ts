import { invalidArgument } from '../core/errors.js';
import { fieldTable } from '../gen/field-table.js';
import { findMessageType } from '../wire/message-registry.js';

type Obj = Record<string, unknown>;

function newMessage(messageName: string): Obj {
  const type = findMessageType(messageName);
  return (type ? type.codec.fromPartial({} as never) : {}) as Obj;
}

/** The field names along `path` (e.g. "5.1" of edgeproto.Cloudlet → location, latitude), or a coded error. */
function resolvePath(messageName: string, path: string): string[] {
  if (!/^\d+(\.\d+)*$/.test(path)) throw invalidArgument('fields', `"${path}" is not a field-number path such as "3" or "5.1"`);
  const names: string[] = [];
  let current: string | undefined = messageName;
  const segments = path.split('.');
  segments.forEach((segment, i) => {
    const info = current ? fieldTable[current]?.[Number(segment)] : undefined;
    if (!info) throw invalidArgument('fields', `"${path}" names no field of ${messageName}`);
    if (i < segments.length - 1 && (!info.message || info.repeated)) {
      throw invalidArgument('fields', `"${path}": field ${info.name} has no sub-fields`);
    }
    names.push(info.name);
    current = info.message;
  });
  return names;
}

/**
 * Update semantics of the original: returns a copy of `current` in which exactly the fields listed in `fields`
 * (field-number paths: `"3"`, `"2.2"`, `"5.1"` for location.latitude) are taken from `update`. A path naming a
 * message copies it whole. The result's own `fields` is empty (it is never stored). Throws INVALID_ARGUMENT naming
 * `fields` for a path that is not a field of the message. Pure: neither input is modified.
 */
export function applyUpdateFields<T extends object>(messageName: string, current: T, update: T, fields: readonly string[]): T {
  const paths = fields.map((p) => ({ path: p, names: resolvePath(messageName, p) }));
  const result = structuredClone(current) as Obj;
  for (const { names } of paths) {
    let target = result;
    let source: Obj | undefined = update as Obj;
    let messageType = messageName;
    for (let i = 0; i < names.length - 1; i++) {
      const name = names[i] ?? '';
      const info = Object.values(fieldTable[messageType] ?? {}).find((f) => f.name === name);
      messageType = info?.message ?? messageType;
      if (typeof target[name] !== 'object' || target[name] === null) target[name] = newMessage(messageType);
      target = target[name] as Obj;
      source = (source?.[name] as Obj | undefined) ?? undefined;
    }
    const last = names[names.length - 1] ?? '';
    const value = source?.[last];
    const info = Object.values(fieldTable[messageType] ?? {}).find((f) => f.name === last);
    target[last] = value === undefined
      ? (info?.repeated ? [] : info?.message ? undefined : structuredClone((newMessage(messageType))[last]))
      : structuredClone(value);
  }
  if ('fields' in result) result.fields = [];
  return result as T;
}

/** Every field-number path of a message's top-level fields except `fields` (1) and the key (2): "all fields". */
export function allUpdatableFields(messageName: string): string[] {
  return Object.entries(fieldTable[messageName] ?? {})
    .filter(([, info]) => info.name !== 'fields' && info.name !== 'key')
    .map(([number]) => number);
}
