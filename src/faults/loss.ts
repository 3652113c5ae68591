import { injectLoss } from './network/loss.js';
import type { FaultPlugin } from './plugin.js';

/** Random packet loss to and from a node, or between two groups (iptables statistic match). */
export const loss: FaultPlugin<'loss'> = { kind: 'loss', network: true, inject: injectLoss };
