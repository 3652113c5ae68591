import { injectLatency } from './network/latency.js';
import type { FaultPlugin } from './plugin.js';

/** Added latency on a node's answers: netem where the kernel has it, a delaying TCP proxy in its namespace otherwise. */
export const latency: FaultPlugin<'latency'> = { kind: 'latency', network: true, inject: injectLatency };
