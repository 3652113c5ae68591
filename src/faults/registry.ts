import type { FaultStepSpec, StepSpec } from '../spec/schema.js';
import { backupStoreDown, breakBinlogChain, corruptBackup } from './backup-faults.js';
import { destroy } from './destroy.js';
import { isolate } from './isolate.js';
import { kill } from './kill.js';
import { killProcess } from './kill-process.js';
import { latency } from './latency.js';
import { loss } from './loss.js';
import { operatorMistake } from './operator-mistake.js';
import { partition } from './partition.js';
import { pause } from './pause.js';
import { powerLoss } from './power-loss.js';
import type { FaultContext, FaultKind, FaultPlugin, FaultPlugins, InjectedFault } from './plugin.js';
import { restart } from './restart.js';
import { siteLoss } from './site-loss.js';
import { stop } from './stop.js';

// Every fault kind of the schema and its plugin: a kind without a plugin (or the reverse) does not compile.
export const faultPlugins = {
  kill,
  'kill-process': killProcess,
  stop,
  pause,
  restart,
  destroy,
  'operator-mistake': operatorMistake,
  'corrupt-backup': corruptBackup,
  'break-binlog-chain': breakBinlogChain,
  'backup-store-down': backupStoreDown,
  partition,
  isolate,
  loss,
  latency,
  'power-loss': powerLoss,
  'site-loss': siteLoss,
} satisfies FaultPlugins;

export function injectFault(ctx: FaultContext, step: FaultStepSpec, plugins: FaultPlugins = faultPlugins): Promise<InjectedFault> {
  return (plugins[step.fault] as FaultPlugin<FaultKind>).inject(ctx, step);
}

/** The steps that act on the network, from helper containers. */
export const networkFaultSteps = (steps: readonly StepSpec[]): FaultStepSpec[] => steps.filter((s): s is FaultStepSpec => s.kind === 'fault' && faultPlugins[s.fault].network);

/** Does any step freeze a container (cgroup freezer: faults/container/freezer-warm.ts keeps its cost out of the instant)? */
export const freezesContainers = (steps: readonly StepSpec[]): boolean => steps.some((s) => s.kind === 'fault' && s.fault === 'pause');

/** Does any step need the network-fault helper image? */
export const needsNetworkHelpers = (steps: readonly StepSpec[]): boolean => networkFaultSteps(steps).length > 0;
