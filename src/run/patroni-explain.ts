import { explainPatroniFailover, type PatroniFailover, type PatroniFaultShape } from '../measure/patroni-failover.js';
import { rewindsFromLogs } from '../measure/patroni-rewind.js';
import type { FaultRecord, Measured, NodeLog, TimelineEvent } from '../measure/types.js';
import type { DrillSpec } from '../spec/schema.js';

// The patroni stack's failover explained by ttl/loop_wait/retry_timeout (measure/patroni-failover.ts),
// for result.json's stack.failover; null for other stacks or a run without a fault.

const LEADER = new Set(['leader', 'primary']);

/** What the first fault step did to Patroni, from the drill file. */
export function faultShape(spec: DrillSpec): PatroniFaultShape {
  const first = spec.steps.find((s) => s.kind === 'fault');
  if (!first) return 'other';
  if (first.fault === 'partition') {
    const leaderAlone = first.groups.some((g) => g.some((m) => LEADER.has(m)) && !g.some((m) => m === 'etcds' || /^etcd/.test(m)));
    const etcdSplit = first.groups.every((g) => !g.includes('etcds'));
    if (leaderAlone) return 'leader-isolated';
    return etcdSplit ? 'dcs-lost' : 'other';
  }
  if (first.fault === 'isolate') return LEADER.has(first.target) ? 'leader-isolated' : /^etcd/.test(first.target) ? 'dcs-lost' : 'other';
  if (LEADER.has(first.target) && ['kill', 'stop', 'destroy', 'pause'].includes(first.fault)) return 'leader-down';
  // Two etcd nodes of three down at once: the steps name them one by one.
  const etcdDown = spec.steps.filter((s) => s.kind === 'fault' && ['kill', 'stop', 'pause'].includes(s.fault) && /^etcd/.test(s.target)).length;
  if (spec.stack.kind === 'patroni' && etcdDown > spec.stack.etcd / 2) return 'dcs-lost';
  return 'other';
}

/**
 * When Patroni's trouble began: the first fault, except when etcd loses its majority one node at a time,
 * where it is the fault that took the majority (the 2nd of 3 etcd nodes).
 */
function referenceMs(spec: DrillSpec, shape: PatroniFaultShape, measured: Measured, faults: readonly FaultRecord[]): number | null {
  if (shape !== 'dcs-lost' || spec.stack.kind !== 'patroni') return measured.faultAtMs;
  const etcdFaults = faults.filter((f) => /-etcd-\d+$/.test(f.container));
  const majority = etcdFaults[Math.floor(spec.stack.etcd / 2)];
  return majority ? (majority.effectByMs ?? majority.injectedAtMs) : measured.faultAtMs;
}

export function patroniFailover(spec: DrillSpec, measured: Measured, events: readonly TimelineEvent[], faults: readonly FaultRecord[], logs: readonly NodeLog[]): PatroniFailover | null {
  const shape = faultShape(spec);
  const faultAtMs = referenceMs(spec, shape, measured, faults);
  const stack = spec.stack;
  if (stack.kind !== 'patroni' || faultAtMs === null) return null;
  const p = stack.patroni;
  const timings = { ttlMs: p.ttlMs, loopWaitMs: p.loopWaitMs, retryTimeoutMs: p.retryTimeoutMs, failsafeMode: p.failsafeMode, proxyInterMs: stack.haproxy.interMs, proxyRise: stack.haproxy.rise };
  const lost = measured.lost;
  const explained = explainPatroniFailover(timings, shape, faultAtMs, events, {
    rtoMs: measured.rtoMs,
    lostAckedAfterFault: lost.ackedAfterFault,
    lastLostAckAtMs: lost.ackSpanMs?.lastMs ?? null,
  });
  // Divergence: what a former leader alone had, which Patroni's pg_rewind discarded (from its log).
  const rewinds = rewindsFromLogs(logs);
  const said = rewinds.map(
    (r) =>
      `Patroni rewound ${r.node} from ${r.source ?? '?'}: ${r.extraWalBytes.toLocaleString('en-US')} bytes of WAL past the fork (${r.forkLsn}..${r.localLsn} on timeline ${r.timeline}) that only it had were discarded.`,
  );
  return { ...explained, rewinds, text: [explained.text, ...said].join(' ') };
}
