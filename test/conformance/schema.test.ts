import { describe, expect, it } from 'vitest';
import {
  buildProtoDescriptors,
  type EnumDescriptor,
  type FieldDescriptor,
  type FileDescriptor,
  type MessageDescriptor,
} from './proto-descriptors.js';
import { readReferenceTable, type TsvRow } from './reference-data.js';

/** Our `proto/` paths keep edgeproto's layout; the DME files live in `dme/` instead of `d-match-engine/dme-proto/`. */
function referencePath(ourPath: string): string {
  return ourPath.startsWith('dme/') ? `d-match-engine/dme-proto/${ourPath.slice('dme/'.length)}` : ourPath;
}

const SCALAR_WIRE: Readonly<Record<string, string>> = {
  double: '64bit', fixed64: '64bit', sfixed64: '64bit',
  float: '32bit', fixed32: '32bit', sfixed32: '32bit',
  int32: 'varint', int64: 'varint', uint32: 'varint', uint64: 'varint', sint32: 'varint', sint64: 'varint',
  bool: 'varint', string: 'len', bytes: 'len',
};

function scalarName(type: string): string {
  return type.replace(/^TYPE_/, '').toLowerCase();
}

function kindOf(field: FieldDescriptor): 'scalar' | 'enum' | 'message' {
  if (field.type === 'TYPE_MESSAGE') return 'message';
  if (field.type === 'TYPE_ENUM') return 'enum';
  return 'scalar';
}

function resolvedType(field: FieldDescriptor): string {
  return field.typeName ? field.typeName.replace(/^\./, '') : scalarName(field.type);
}

function wireType(field: FieldDescriptor): string {
  const kind = kindOf(field);
  if (kind === 'message') return 'len';
  if (kind === 'enum') return 'varint';
  return SCALAR_WIRE[scalarName(field.type)] ?? `unknown ${field.type}`;
}

/** The columns of a reference row that the schema defines (source spellings and gogo options are left out). */
const FIELD_COLUMNS = ['proto_file', 'package', 'message', 'field_name', 'field_number', 'label', 'oneof',
  'resolved_type', 'kind', 'wire_type', 'packed'] as const;
const ENUM_COLUMNS = ['proto_file', 'package', 'enum', 'value_name', 'number'] as const;
const SERVICE_COLUMNS = ['proto_file', 'package', 'service', 'rpc', 'request_type', 'response_type',
  'client_streaming', 'server_streaming', 'http_method', 'http_path', 'grpc_method_path'] as const;

type Row = Record<string, string>;

function fieldRows(file: FileDescriptor): Row[] {
  const rows: Row[] = [];
  const pkg = file.package;
  const visit = (msg: MessageDescriptor, prefix: string): void => {
    const name = prefix + msg.name;
    const nested = new Map((msg.nestedType ?? []).map((n) => [`.${pkg}.${name}.${n.name}`, n]));
    for (const field of msg.field ?? []) {
      const mapEntry = field.typeName ? nested.get(field.typeName) : undefined;
      const base = {
        proto_file: referencePath(file.name), package: pkg, message: name,
        field_name: field.name, field_number: String(field.number),
        oneof: field.oneofIndex !== undefined && !field.proto3Optional ? (msg.oneofDecl?.[field.oneofIndex]?.name ?? '?') : '',
        packed: field.options?.packed ? 'yes' : '',
      };
      if (mapEntry?.options?.mapEntry) {
        const [key, value] = mapEntry.field ?? [];
        if (!key || !value) throw new Error(`map entry ${name}.${field.name} without key/value`);
        rows.push({
          ...base, label: `map<${resolvedType(key)},${resolvedType(value)}>`, resolved_type: resolvedType(value),
          kind: kindOf(value), wire_type: 'len (repeated MapEntry{key=1,value=2})',
        });
      } else {
        rows.push({
          ...base, label: field.label === 'LABEL_REPEATED' ? 'repeated' : 'optional',
          resolved_type: resolvedType(field), kind: kindOf(field), wire_type: wireType(field),
        });
      }
    }
    for (const n of msg.nestedType ?? []) if (!n.options?.mapEntry) visit(n, `${name}.`);
  };
  for (const msg of file.messageType ?? []) visit(msg, '');
  return rows;
}

function enumRows(file: FileDescriptor): Row[] {
  const rows: Row[] = [];
  const add = (e: EnumDescriptor, prefix: string): void => {
    for (const v of e.value) {
      rows.push({ proto_file: referencePath(file.name), package: file.package, enum: prefix + e.name,
        value_name: v.name, number: String(v.number) });
    }
  };
  const visit = (msg: MessageDescriptor, prefix: string): void => {
    for (const e of msg.enumType ?? []) add(e, `${prefix}${msg.name}.`);
    for (const n of msg.nestedType ?? []) visit(n, `${prefix}${msg.name}.`);
  };
  for (const e of file.enumType ?? []) add(e, '');
  for (const msg of file.messageType ?? []) visit(msg, '');
  return rows;
}

/** Our proto files carry each rpc's REST mapping as a `REST: METHOD /path` comment line. */
function restMapping(file: FileDescriptor, serviceIndex: number, methodIndex: number): [string, string] {
  const location = file.sourceCodeInfo?.location?.find((l) => l.path?.join('.') === `6.${serviceIndex}.2.${methodIndex}`);
  const match = /REST: (\S+) (\S+)/.exec(location?.leadingComments ?? '');
  return match ? [match[1] ?? '', match[2] ?? ''] : ['', ''];
}

function serviceRows(file: FileDescriptor): Row[] {
  const rows: Row[] = [];
  (file.service ?? []).forEach((service, si) => {
    (service.method ?? []).forEach((method, mi) => {
      const [httpMethod, httpPath] = restMapping(file, si, mi);
      rows.push({
        proto_file: referencePath(file.name), package: file.package, service: service.name, rpc: method.name,
        request_type: method.inputType.replace(/^\./, ''), response_type: method.outputType.replace(/^\./, ''),
        client_streaming: method.clientStreaming ? 'yes' : 'no', server_streaming: method.serverStreaming ? 'yes' : 'no',
        http_method: httpMethod, http_path: httpPath,
        grpc_method_path: `/${file.package}.${service.name}/${method.name}`,
      });
    });
  });
  return rows;
}

function project(row: TsvRow | Row, columns: readonly string[]): string {
  return columns.map((c) => `${c}=${row[c] ?? ''}`).join(' | ');
}

/** Compares two tables row for row, ignoring order; returns the rows only one side has. */
function diffTables(reference: readonly TsvRow[], ours: readonly Row[], columns: readonly string[]) {
  const want = new Set(reference.map((r) => project(r, columns)));
  const have = new Set(ours.map((r) => project(r, columns)));
  return {
    missingFromProto: [...want].filter((r) => !have.has(r)),
    notInReference: [...have].filter((r) => !want.has(r)),
    referenceRows: reference.length,
    protoRows: ours.length,
  };
}

describe('proto/ matches the reference tables row for row', () => {
  const files = buildProtoDescriptors();

  it('declares every file of the reference', () => {
    const referenceFiles = new Set(readReferenceTable('edgeproto-fields.tsv').map((r) => r.proto_file));
    for (const r of readReferenceTable('edgeproto-enums.tsv')) referenceFiles.add(r.proto_file ?? '');
    const ours = new Set(files.map((f) => referencePath(f.name)));
    expect([...referenceFiles].filter((f) => !ours.has(f ?? ''))).toEqual([]);
    expect(files.filter((f) => f.package === 'edgeproto')).toHaveLength(17);
  });

  it('has every field with its number, label, type, oneof and wire type', () => {
    const diff = diffTables(readReferenceTable('edgeproto-fields.tsv'), files.flatMap(fieldRows), FIELD_COLUMNS);
    expect(diff).toEqual({ missingFromProto: [], notInReference: [], referenceRows: 277, protoRows: 277 });
  });

  it('has every enum value with its number', () => {
    const diff = diffTables(readReferenceTable('edgeproto-enums.tsv'), files.flatMap(enumRows), ENUM_COLUMNS);
    expect(diff).toEqual({ missingFromProto: [], notInReference: [], referenceRows: 89, protoRows: 89 });
  });

  it('has every rpc with its types, streaming flags, REST mapping and gRPC path', () => {
    const diff = diffTables(readReferenceTable('edgeproto-services.tsv'), files.flatMap(serviceRows), SERVICE_COLUMNS);
    expect(diff).toEqual({ missingFromProto: [], notInReference: [], referenceRows: 54, protoRows: 54 });
  });

  it('declares fields in field-number order, so encoders write the canonical byte order', () => {
    const outOfOrder: string[] = [];
    const visit = (msg: MessageDescriptor, prefix: string): void => {
      const numbers = (msg.field ?? []).map((f) => f.number);
      if (numbers.some((n, i) => i > 0 && n < (numbers[i - 1] ?? 0))) outOfOrder.push(prefix + msg.name);
      for (const n of msg.nestedType ?? []) visit(n, `${prefix}${msg.name}.`);
    };
    for (const f of files) for (const m of f.messageType ?? []) visit(m, `${f.package}.`);
    expect(outOfOrder).toEqual([]);
  });
});
