// Network faults: partition, isolate, loss, latency. Each runs in helper containers that join the affected
// nodes' network namespaces (helpers.ts), installs drill's own iptables chain there (rules.ts, chains.ts) —
// or netem / a delaying TCP proxy for latency (latency.ts) — proves the fault is in effect with probes
// before it returns (probes.ts), and heals itself after `duration`, at the end of the run, or on abort.
// See docs/network-faults.md.
export { injectIsolate, injectPartition } from './partition.js';
export { injectLoss } from './loss.js';
export { injectLatency } from './latency.js';
export type { NetworkFaultRecord, NetworkMechanism } from './network-record.js';
export { purgeNetworkHelpers, type PurgeReport } from './purge.js';
