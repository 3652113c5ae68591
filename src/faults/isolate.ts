import { injectIsolate } from './network/partition.js';
import type { FaultPlugin } from './plugin.js';

/** One node cut off from every other node of the stack (a two-way partition [[target], [the rest]]). */
export const isolate: FaultPlugin<'isolate'> = { kind: 'isolate', network: true, inject: injectIsolate };
