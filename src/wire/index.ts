/** Wire helpers over the generated edgeproto code: type registry, Any packing, JSON form, keys and names. */
export * from './any.js';
export * from './decode.js';
export * from './message-codec.js';
export * from './message-json.js';
export * from './message-registry.js';
export * from './object-key.js';
export * from './object-name.js';
export * from './strict-json.js';
