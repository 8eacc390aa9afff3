/** The notify stream (NotifyApi.StreamNotice): client, server and their parts. See README.md. */
export * from './client.js';
export * from './features.js';
export * from './info-receiver.js';
export * from './keepalive.js';
export * from './notice-wire.js';
export * from './receivers.js';
export * from './server.js';
