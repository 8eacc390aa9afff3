/**
 * The fields of the objects a data file holds that people do not set: output-only fields, which the controller or
 * the CRM fill in (state, errors, uri, created_at...), and call options, which steer one call and are never stored
 * (crm_override). `apply -f` never updates them: an output-only field that differs from the stored object is
 * ignored with a note, and a call option is passed along on create but never compared. The one place that says
 * which fields these are, taken from the protocol documentation of edgeproto (fields documented as set by the
 * system, "internal use only", cached or derived, or as actions of the call).
 */

/** Output-only top-level fields by full message name. */
const OUTPUT_ONLY: Readonly<Record<string, readonly string[]>> = {
  // "Auto is set to true when automatically created by back-end (internal use only)".
  'edgeproto.Cluster': ['auto'],
  // Liveness (static for API calls, dynamic for auto clusters), auto, the CRM's state and errors, the IP the
  // controller allocates and the cloudlet-specific node flavor the controller picks.
  'edgeproto.ClusterInst': ['liveness', 'auto', 'state', 'errors', 'allocated_ip', 'node_flavor'],
  // The cached cloudlet location, the FQDN, liveness, ports mapped on the shared load balancer, the CRM's state,
  // errors and runtime info, and the creation time.
  'edgeproto.AppInst': ['cloudlet_loc', 'uri', 'liveness', 'mapped_ports', 'state', 'errors', 'runtime_info', 'created_at'],
};

/** Call options by full message name: they act on one call ("Override actions to CRM") and are stored empty. */
const CALL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'edgeproto.ClusterInst': ['crm_override'],
  'edgeproto.AppInst': ['crm_override'],
};

/** True when top-level field `field` (proto name) of message `message` is set by the system, never by people. Pure. */
export function isOutputOnly(message: string, field: string): boolean {
  return OUTPUT_ONLY[message]?.includes(field) ?? false;
}

/** True when top-level field `field` of message `message` is an option of the call that is not stored. Pure. */
export function isCallOption(message: string, field: string): boolean {
  return CALL_OPTIONS[message]?.includes(field) ?? false;
}
