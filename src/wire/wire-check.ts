import { isUtf8 } from 'node:buffer';
import { fieldTable, type FieldInfo, type ScalarType } from '../gen/field-table.js';

/** How deep messages may nest (the schema nests at most 5 deep and has no recursive type). */
export const MAX_DEPTH = 64;

const enum Kind {
  Varint,
  Fixed64,
  Fixed32,
  String,
  Bytes,
  Message,
}

interface FieldRule {
  readonly kind: Kind;
  readonly repeated: boolean;
  /** The message rule of a Message field (a map field: its entry). */
  readonly message: MessageRule | undefined;
}

interface MessageRule {
  readonly name: string;
  /** By field number; undefined for numbers the type does not have. */
  readonly fields: (FieldRule | undefined)[];
}

const SCALAR_KIND: Readonly<Record<ScalarType, Kind>> = {
  double: Kind.Fixed64,
  fixed64: Kind.Fixed64,
  sfixed64: Kind.Fixed64,
  float: Kind.Fixed32,
  fixed32: Kind.Fixed32,
  sfixed32: Kind.Fixed32,
  int64: Kind.Varint,
  uint64: Kind.Varint,
  int32: Kind.Varint,
  uint32: Kind.Varint,
  sint32: Kind.Varint,
  sint64: Kind.Varint,
  bool: Kind.Varint,
  enum: Kind.Varint,
  string: Kind.String,
  bytes: Kind.Bytes,
};

const rules = new Map<string, MessageRule>();

function scalarRule(type: ScalarType, repeated: boolean): FieldRule {
  return { kind: SCALAR_KIND[type], repeated, message: undefined };
}

function fieldRule(owner: string, info: FieldInfo): FieldRule {
  if (info.type === 'map') {
    if (!info.mapKey || !info.mapValue) throw new Error(`field table: map ${owner}.${info.name} without key or value type`);
    const value = info.mapValue === 'message' ? messageFieldRule(owner, info.name, info.mapValueMessage, false) : scalarRule(info.mapValue, false);
    const entry: MessageRule = { name: `${owner}.${info.name}(entry)`, fields: [undefined, scalarRule(info.mapKey, false), value] };
    return { kind: Kind.Message, repeated: true, message: entry };
  }
  if (info.type === 'message') return messageFieldRule(owner, info.name, info.message, info.repeated === true);
  return scalarRule(info.type, info.repeated === true);
}

function messageFieldRule(owner: string, field: string, typeName: string | undefined, repeated: boolean): FieldRule {
  if (!typeName) throw new Error(`field table: message field ${owner}.${field} without its type`);
  return { kind: Kind.Message, repeated, message: ruleOf(typeName) };
}

/** The compiled rule of a message type (recursive types share their rule objects). */
function ruleOf(typeName: string): MessageRule {
  const cached = rules.get(typeName);
  if (cached) return cached;
  const table = fieldTable[typeName];
  if (!table) throw new Error(`field table has no message ${typeName}`);
  const fields: (FieldRule | undefined)[] = [];
  const rule: MessageRule = { name: typeName, fields };
  rules.set(typeName, rule);
  for (const [number, info] of Object.entries(table)) fields[Number(number)] = fieldRule(typeName, info);
  for (let i = 0; i < fields.length; i++) fields[i] ??= undefined; // dense: no holes
  return rule;
}

// ---- the walk ----------------------------------------------------------------------------------------------
// Module state instead of result objects: the walk allocates nothing.

let failure = '';
let lengthValue = 0;
let trackField = 0;
let trackStart = -1;
let trackEnd = -1;

function fail(why: string): number {
  failure = why;
  return -1;
}

/** Skips a varint of at most 10 bytes ending before `end`; returns the position after it, or -1. */
function skipVarint(buf: Uint8Array, pos: number, end: number): number {
  const last = Math.min(end, pos + 10);
  while (pos < last) {
    if ((buf[pos++]! & 0x80) === 0) return pos;
  }
  return fail(pos >= end ? 'varint runs past its message' : 'varint longer than 10 bytes');
}

/**
 * Reads a uint32 varint of at most 5 bytes (a tag or a length) into `lengthValue`, with the value the decoder
 * reads for it; returns the position after it, or -1.
 */
function readUint32(buf: Uint8Array, pos: number, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) return fail('varint runs past its message');
    const b = buf[pos++]!;
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      lengthValue = value;
      return pos;
    }
  }
  if (pos >= end) return fail('varint runs past its message');
  const b = buf[pos++]!;
  if (b > 0x0f) return fail('tag or length does not fit in 32 bits');
  lengthValue = (value | (b << 28)) >>> 0;
  return pos;
}

/** True when bytes [start, end) are valid UTF-8; ASCII is checked here, anything else by `isUtf8`. */
function utf8(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (buf[i]! > 0x7f) return isUtf8(buf.subarray(i, end));
  }
  return true;
}

/** Walks the fields of one message in [pos, end); returns `end`, or -1 with `failure` set. */
function walk(buf: Uint8Array, pos: number, end: number, rule: MessageRule, depth: number): number {
  const fields = rule.fields;
  while (pos < end) {
    pos = readUint32(buf, pos, end);
    if (pos < 0) return -1;
    const tag = lengthValue;
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) return fail(`${rule.name}: field number 0`);
    const field = number < fields.length ? fields[number] : undefined;
    if (field === undefined) {
      // Unknown field: skipped by the decoder, so it only has to be well-formed.
      if (wireType === 0) pos = skipVarint(buf, pos, end);
      else if (wireType === 1) pos = end - pos >= 8 ? pos + 8 : fail(`${rule.name}: field ${number} runs past its message`);
      else if (wireType === 5) pos = end - pos >= 4 ? pos + 4 : fail(`${rule.name}: field ${number} runs past its message`);
      else if (wireType === 2) {
        pos = readUint32(buf, pos, end);
        if (pos >= 0) pos = lengthValue <= end - pos ? pos + lengthValue : fail(`${rule.name}: field ${number} runs past its message`);
      } else return fail(`${rule.name}: field ${number} has wire type ${wireType}`);
      if (pos < 0) return -1;
      continue;
    }
    const kind = field.kind;
    if (wireType === 2) {
      pos = readUint32(buf, pos, end);
      if (pos < 0) return -1;
      const length = lengthValue;
      if (length > end - pos) return fail(`${rule.name}: field ${number} runs past its message`);
      const fieldEnd = pos + length;
      if (kind === Kind.String) {
        if (!utf8(buf, pos, fieldEnd)) return fail(`${rule.name}: field ${number} is not valid UTF-8`);
      } else if (kind === Kind.Message) {
        if (depth >= MAX_DEPTH) return fail(`${rule.name}: messages nested deeper than ${MAX_DEPTH}`);
        if (walk(buf, pos, fieldEnd, field.message!, depth + 1) < 0) return -1;
        if (depth === 0 && number === trackField) {
          trackStart = pos;
          trackEnd = fieldEnd;
        }
      } else if (kind !== Kind.Bytes) {
        // A packed run of numbers: only for repeated fields, and it must end exactly at its length.
        if (!field.repeated) return fail(`${rule.name}: field ${number} has wire type 2`);
        if (kind === Kind.Varint) {
          let p = pos;
          while (p < fieldEnd) {
            p = skipVarint(buf, p, fieldEnd);
            if (p < 0) return -1;
          }
        } else if (length % (kind === Kind.Fixed64 ? 8 : 4) !== 0) {
          return fail(`${rule.name}: packed field ${number} has a partial element`);
        }
      }
      pos = fieldEnd;
      continue;
    }
    if (wireType === 0 && kind === Kind.Varint) pos = skipVarint(buf, pos, end);
    else if (wireType === 1 && kind === Kind.Fixed64) pos = end - pos >= 8 ? pos + 8 : fail(`${rule.name}: field ${number} runs past its message`);
    else if (wireType === 5 && kind === Kind.Fixed32) pos = end - pos >= 4 ? pos + 4 : fail(`${rule.name}: field ${number} runs past its message`);
    else return fail(`${rule.name}: field ${number} has wire type ${wireType}`);
    if (pos < 0) return -1;
  }
  return pos;
}

/** Where a field of a checked message is: the bounds of its contents (its last occurrence), or -1 when absent. */
export interface FieldBounds {
  start: number;
  end: number;
}

/**
 * A wire-format check of encoded messages, driven by the field table (src/gen/field-table.ts): it walks the bytes
 * of a message without building any object and accepts them only when the generated decoder reads them without
 * error and as the check saw them:
 * - every tag fits in 32 bits, in at most 5 bytes, with a field number above 0;
 * - a known field has the wire type of its type (varint, 64-bit, 32-bit or length-delimited; a repeated number
 *   may be packed), and an unknown field has wire type 0, 1, 2 or 5 (no groups);
 * - every varint ends within 10 bytes, every length fits in 32 bits and every field ends inside the message that
 *   holds it (a packed run or nested message ends exactly at its length);
 * - strings are valid UTF-8;
 * - nested messages (and map entries) are walked the same way, at most {@link MAX_DEPTH} levels deep.
 * This is stricter than the decoder, which skips a field of the wrong wire type, replaces bad UTF-8 with U+FFFD
 * and stops a message at an end-group tag; no encoder we talk to writes any of these. The compiled rules are
 * cached per type.
 *
 * `check` also finds the last top-level occurrence of `trackedField` (a message field, e.g. the object's key),
 * whose contents the decoder would read for that field. Build once per type; stateless between calls.
 */
export class WireCheck {
  private readonly rule: MessageRule;

  /** Throws when the field table has no such message (a programming error, not input). */
  constructor(
    readonly typeName: string,
    private readonly trackedField = 0,
  ) {
    this.rule = ruleOf(typeName);
  }

  /**
   * Checks `bytes`; returns undefined when they pass, else why they do not. On success `tracked` (when given) gets
   * the bounds of the tracked field's last occurrence, or -1 and -1. Allocates nothing when the bytes pass.
   */
  check(bytes: Uint8Array, tracked?: FieldBounds): string | undefined {
    trackField = this.trackedField;
    trackStart = -1;
    trackEnd = -1;
    if (walk(bytes, 0, bytes.length, this.rule, 0) < 0) return failure;
    if (tracked) {
      tracked.start = trackStart;
      tracked.end = trackEnd;
    }
    return undefined;
  }
}

/** The number and message type of the field named `name` of message `typeName`, if it has one of that name. */
export function findMessageField(typeName: string, name: string): { readonly number: number; readonly message: string } | undefined {
  for (const [number, info] of Object.entries(fieldTable[typeName] ?? {})) {
    if (info.name === name && info.type === 'message' && info.message && !info.repeated) return { number: Number(number), message: info.message };
  }
  return undefined;
}
