// Network faults: partition, isolate, loss, latency. Each runs in helper containers that join the affected
// nodes' network namespaces (helpers.ts), installs drill's own iptables chain there (rules.ts, chains.ts) —
// or netem / a delaying TCP proxy for latency (latency.ts) — proves the fault is in effect with probes
// before it returns (probes.ts), and heals itself after `duration`, at the end of the run, or on abort.
// See docs/network-faults.md. The plugins are ../partition.ts, ../isolate.ts, ../loss.ts, ../latency.ts.
export type { NetworkFaultRecord, NetworkMechanism } from './network-record.js';
export { purgeNetworkHelpers, type PurgeReport } from './purge.js';
