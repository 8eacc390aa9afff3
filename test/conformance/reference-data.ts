import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const referenceDir = fileURLToPath(new URL('./reference/', import.meta.url));

/** One row of a reference TSV table, by column name. */
export type TsvRow = Readonly<Record<string, string>>;

/** Reads a reference table (`edgeproto-fields.tsv`, ...) into rows keyed by the header's column names. */
export function readReferenceTable(fileName: string): TsvRow[] {
  const [header, ...lines] = readFileSync(referenceDir + fileName, 'utf8').split('\n').filter((l) => l !== '');
  const columns = (header ?? '').split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
  });
}

/** A wire test vector: message type, proto3 JSON content and the original encoder's bytes. */
export interface WireVector {
  name: string;
  type: string;
  json: Record<string, unknown>;
  hex: string;
}

/** The reference wire vectors. */
export function readVectors(): WireVector[] {
  const parsed = JSON.parse(readFileSync(referenceDir + 'edgeproto-vectors.json', 'utf8')) as { vectors: WireVector[] };
  return parsed.vectors;
}
