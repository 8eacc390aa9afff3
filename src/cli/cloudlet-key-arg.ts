/**
 * The cloudlet key as a command-line value: the short form `OPERATOR/NAME`, or the original's JSON form
 * `{"operator_key":{"name":"TDG"},"name":"berlin-edge-1"}`. Pure.
 */
import { CodedError, Code, isCodedError } from '../core/errors.js';
import type { CloudletKey } from '../gen/edgeproto/cloudlet.js';
import { validateObjectName } from '../wire/object-name.js';

function invalid(reason: string, field?: string): CodedError {
  return new CodedError(Code.INVALID_ARGUMENT, reason, { field });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const extra = Object.keys(value).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw invalid(`unknown field ${JSON.stringify(extra)} in ${where} (known: ${allowed.join(', ')})`, extra);
}

function stringField(value: unknown, field: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid(`${field} must be a string`, field);
  return value;
}

function fromJson(text: string): { operator: string; name: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(value)) throw invalid('the JSON form must be an object {"operator_key":{"name":...},"name":...}');
  onlyKeys(value, ['operator_key', 'name'], 'the cloudlet key');
  const operatorKey = value.operator_key ?? {};
  if (!isRecord(operatorKey)) throw invalid('operator_key must be an object {"name":...}', 'operator_key');
  onlyKeys(operatorKey, ['name'], 'operator_key');
  return { operator: stringField(operatorKey.name, 'operator_key.name'), name: stringField(value.name, 'name') };
}

function fromShortForm(text: string): { operator: string; name: string } {
  const parts = text.split('/');
  if (parts.length !== 2) throw invalid(`${JSON.stringify(text)} is neither OPERATOR/NAME nor a JSON cloudlet key`);
  return { operator: parts[0] ?? '', name: parts[1] ?? '' };
}

/**
 * Parses a cloudlet key given as `OPERATOR/NAME` (exactly one slash; names cannot contain one) or as the JSON form
 * (text starting with `{`; only the fields `operator_key.name` and `name`). Both names must obey the object-name
 * rule of src/wire/object-name. Throws a CodedError INVALID_ARGUMENT whose message is the reason (without a flag
 * name; the caller adds it) and whose field is the key field at fault, when there is one. Pure.
 */
export function parseCloudletKeyArg(text: string): CloudletKey {
  const { operator, name } = text.trimStart().startsWith('{') ? fromJson(text) : fromShortForm(text);
  try {
    validateObjectName('operator_key.name', operator);
    validateObjectName('name', name);
  } catch (err) {
    if (isCodedError(err)) throw invalid(err.message, err.field);
    throw err;
  }
  return { operator_key: { name: operator }, name };
}

/** The short form `OPERATOR/NAME` of a cloudlet key (for logs and messages). Pure and total. */
export function formatCloudletKeyArg(key: CloudletKey): string {
  return `${key.operator_key?.name ?? ''}/${key.name}`;
}
