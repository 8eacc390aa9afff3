/**
 * Response header a cloudletd notify server sends with its VERSION reply. The original ignores unknown headers,
 * so this stays wire-compatible in both directions.
 */
export const NOTIFY_FEATURES_HEADER = 'x-cloudletd-notify-features';

/**
 * Feature: for a filtered peer, the server's send-all waits for the peer's own SENDALL_END, so every cloudlet the
 * peer reported in its send-all has all its objects in the server's send-all. The client may then prune filtered
 * kinds at SENDALL_END without the transient prune the original could cause.
 */
export const SEQUENCED_SENDALL_FEATURE = 'sequenced-sendall';
