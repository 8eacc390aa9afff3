import type { ServiceDefinition } from '@grpc/grpc-js';

/** A response whose protobuf bytes are already known (a stored object's cached encoding); sent as they are. */
export class PreEncoded {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * The same service definition, except that every response serializer passes a {@link PreEncoded} response's bytes
 * through unchanged, so Show streams stored objects without encoding them again. Other responses are serialized
 * by the generated code as before. Pure.
 */
export function acceptPreEncoded(service: ServiceDefinition): ServiceDefinition {
  const out: Record<string, ServiceDefinition[string]> = {};
  for (const [name, method] of Object.entries(service)) {
    const serialize = method.responseSerialize;
    out[name] = {
      ...method,
      responseSerialize: (value: unknown) =>
        value instanceof PreEncoded
          ? Buffer.from(value.bytes.buffer, value.bytes.byteOffset, value.bytes.byteLength)
          : serialize(value),
    };
  }
  return out;
}
