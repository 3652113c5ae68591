import type { NetworkFaultHandler } from '../fault.js';
import { InfraError } from '../../util/errors.js';

// Network faults: being implemented in this folder (partition.ts, loss.ts, latency.ts, ...).
const notYet = (kind: string) => async (): Promise<never> => {
  throw new InfraError(`fault ${kind} is not implemented yet`);
};

export const injectPartition: NetworkFaultHandler<'partition'> = notYet('partition');
export const injectIsolate: NetworkFaultHandler<'isolate'> = notYet('isolate');
export const injectLoss: NetworkFaultHandler<'loss'> = notYet('loss');
export const injectLatency: NetworkFaultHandler<'latency'> = notYet('latency');
