import type { FaultKind, FaultStep } from '../faults/plugin.js';
import { formatDurationMs } from '../spec/duration.js';
import type { StackSpec } from '../spec/schema.js';
import { describeGroups, describeTarget } from './targets.js';

// Each fault kind in words for the plan: what it does, whom it hits, when it is undone. The table has
// every kind of the schema (the `satisfies` fails to compile otherwise); `network` must match the fault
// plug-ins' own flag (a unit test checks it), without loading them: they bring the engine client.

interface FaultPlan<K extends FaultKind> {
  network: boolean;
  action(step: FaultStep<K>): string;
  target(step: FaultStep<K>, stack: StackSpec): string;
}

type FaultPlans = { [K in FaultKind]: FaultPlan<K> };

const single = (step: { target: string; atMs: number }, stack: StackSpec) => describeTarget(stack, step.target, step.atMs);

export const faultPlans = {
  kill: { network: false, action: (s) => `kill (${s.signal}${s.signal === 'SIGKILL' ? ': no clean shutdown' : ': the server shuts down its own way'})`, target: single },
  'kill-process': { network: false, action: (s) => `kill-process ${s.process} (SIGKILL to that process alone; the container lives on, nothing restarts it)`, target: single },
  stop: { network: false, action: (s) => `stop (SIGTERM, then SIGKILL after ${formatDurationMs(s.stopTimeoutMs)})`, target: single },
  pause: { network: false, action: () => 'pause (every process frozen: connections stay open and hang)', target: single },
  restart: { network: false, action: (s) => `restart (graceful stop within ${formatDurationMs(s.stopTimeoutMs)}, down ${formatDurationMs(s.durationMs ?? 0)}, start)`, target: single },
  destroy: { network: false, action: () => 'destroy (container and data removed: nothing of the node is left)', target: single },
  'operator-mistake': { network: false, action: (s) => `operator mistake "${s.name}": ${s.statement}`, target: single },
  'corrupt-backup': { network: false, action: (s) => `corrupt the newest backup in the store (${s.how === 'flip' ? 'bytes overwritten' : 'cut to half its size'})`, target: () => 'the backup store' },
  'break-binlog-chain': {
    network: false,
    action: (s) => `break the binlog archive's chain: rotate the primary's binlog, again ${formatDurationMs(s.gapMs)} later, delete the file between from the archive`,
    target: () => 'the backup store',
  },
  'backup-store-down': { network: false, action: () => "the backup store cut off from the stack's network (scheduled backups fail)", target: () => 'the backup store' },
  partition: {
    network: true,
    action: (s) => (s.oneWay ? 'partition, one way (only what goes from the first group is dropped)' : 'partition (the groups cannot reach each other)'),
    target: (s, stack) => describeGroups(stack, s.groups, s.atMs),
  },
  'power-loss': {
    network: false,
    action: () => 'power loss (every process of each node killed at once, on its lazy disk: what was not fsynced is gone)',
    target: (s, stack) => describeGroups(stack, [s.nodes], s.atMs),
  },
  'site-loss': {
    network: false,
    action: () => 'site loss (every node of the site destroyed at once, containers and data; the surviving nodes asked where they stood just before)',
    target: (s, stack) => describeGroups(stack, [s.nodes], s.atMs),
  },
  isolate: { network: true, action: () => 'isolate (cut off from every other node)', target: single },
  loss: {
    network: true,
    action: (s) => `loss of ${s.percent}% of the packets, each direction${s.between ? ', between the two groups' : ''}`,
    target: (s, stack) => (s.between ? describeGroups(stack, s.between, s.atMs) : describeTarget(stack, s.target, s.atMs)),
  },
  latency: {
    network: true,
    action: (s) =>
      `latency +${formatDurationMs(s.delayMs)}${s.jitterMs > 0 ? ` ± ${formatDurationMs(s.jitterMs)}` : ''} on the traffic to the node${s.from ? ` from ${s.from.join(', ')} only (a slow link)` : ''}`,
    target: single,
  },
} satisfies FaultPlans;

/**
 * When and how a fault is undone. `rejoinStep`: the index of a later `action: rejoin` step that brings
 * this fault's node back (a killed or stopped primary is the former primary it rejoins), if any.
 */
export function healOf(step: FaultStep<FaultKind>, stack: StackSpec, rejoinStep: number | null = null): string {
  const network = faultPlans[step.fault].network;
  const after = (what: string) => `${what} ${formatDurationMs(step.durationMs!)} after it is in effect (about ${formatDurationMs(step.atMs + step.durationMs!)})`;
  if (step.fault === 'destroy') return 'never: the node is gone; a restore from backup provisions a new one';
  if (step.fault === 'site-loss') return 'never: the site is gone; a failover to the surviving site, or a restore, takes over';
  if (step.fault === 'operator-mistake') return 'never: the statement is committed; a point-in-time restore undoes it';
  if (step.fault === 'corrupt-backup' || step.fault === 'break-binlog-chain') return 'never: the backup store keeps the damage; a restore must work around it';
  if (step.fault === 'backup-store-down') return step.durationMs !== undefined ? after("joined to the stack's network again") : "joined to the stack's network again at the end of the run";
  if (step.fault === 'restart') return 'itself: started again after its time down';
  // The container lives on: nothing restarts the killed process, with or without a duration.
  if (step.fault === 'kill-process') return 'not undone: the container keeps running without that process until the stack is removed';
  if (step.durationMs !== undefined)
    return after(network ? 'rules removed' : step.fault === 'pause' ? 'unpaused' : step.fault === 'power-loss' ? 'power back: started again from what the disk kept' : 'started again');
  if (network) return 'rules removed at the end of the run';
  if (step.fault === 'pause') return 'unpaused at the end of the run';
  // kill or stop without a duration: down for the rest of the run, unless a rejoin starts it.
  if (stack.kind !== 'compose') {
    return rejoinStep === null
      ? 'not started again: down until the stack is removed at the end'
      : `not started again by the fault: the rejoin (steps[${rejoinStep}]) starts it again and makes it a replica`;
  }
  return stack.restore ? 'started again at the end of the run (stack.restore)' : 'left down (stack.restore: false)';
}
