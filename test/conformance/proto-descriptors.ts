import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a protobuf FileDescriptorSet (as buf writes it in JSON) that the conformance tests read. */
export interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName?: string;
  oneofIndex?: number;
  proto3Optional?: boolean;
  options?: { packed?: boolean };
}
export interface MessageDescriptor {
  name: string;
  field?: FieldDescriptor[];
  nestedType?: MessageDescriptor[];
  enumType?: EnumDescriptor[];
  oneofDecl?: { name: string }[];
  options?: { mapEntry?: boolean };
}
export interface EnumDescriptor {
  name: string;
  value: { name: string; number: number }[];
}
export interface MethodDescriptor {
  name: string;
  inputType: string;
  outputType: string;
  clientStreaming?: boolean;
  serverStreaming?: boolean;
}
export interface FileDescriptor {
  name: string;
  package: string;
  messageType?: MessageDescriptor[];
  enumType?: EnumDescriptor[];
  service?: { name: string; method?: MethodDescriptor[] }[];
  sourceCodeInfo?: { location?: { path?: number[]; leadingComments?: string }[] };
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Compiles `proto/` with buf (a real protobuf compiler) and returns every file descriptor, imports included. */
export function buildProtoDescriptors(): FileDescriptor[] {
  const dir = mkdtempSync(join(tmpdir(), 'cloudletd-proto-'));
  try {
    const image = join(dir, 'image.json');
    execFileSync(join(repoRoot, 'node_modules/.bin/buf'), ['build', '-o', image], { cwd: repoRoot, stdio: 'pipe' });
    return (JSON.parse(readFileSync(image, 'utf8')) as { file: FileDescriptor[] }).file;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
