// Every marker a timeline event can carry (TimelineEvent.marker): drill's own moments, the measurement's,
// the runbook's and the systems' own evidence. A closed union, so code that handles markers handles each
// one (a new kind without a case does not compile). In result.json a marker is its plain string.

/** The runner's own moments. */
export const RUNNER_MARKERS = [
  'load-start',
  'load-end',
  'probe-start',
  'probe-end',
  'fault',
  'fault-verified',
  'fault-unverified',
  'heal',
  'heal-error',
  'container-exit',
  'abort',
  'verify',
  'stack-kept',
  'teardown-error',
  'recovery-timeout',
] as const;
/** The measurement's: first failed write after the fault, and the recovery point; the same for reads, and where each read anomaly begins. */
export const MEASURE_MARKERS = [
  'first-failure',
  'recovered',
  'event-recovered',
  'rejoin-caught-up',
  'reads-failed',
  'reads-recovered',
  'first-stale-read',
  'first-dirty-read',
  'first-own-write-missed',
] as const;
/** Runbook steps and drill's failure detector. */
export const RUNBOOK_MARKERS = [
  'runbook-promote',
  'runbook-repoint',
  'runbook-switchover',
  'runbook-failback',
  'runbook-rejoin',
  'runbook-restore',
  'runbook-restore-check',
  'runbook-wait',
  'runbook-error',
  'detection',
] as const;
/** Layers beside the stack: a backup taken or failed, a layer's check after the load, an alert's life in Prometheus and Alertmanager. */
export const LAYER_MARKERS = [
  'backup',
  'backup-error',
  'backup-damage',
  'binlog-archive',
  'restore-provision',
  'restore-copy',
  'restore-load',
  'restore-prepare',
  'restore-start',
  'restore-replay',
  'restore-repoint',
  'restore-first-write',
  'restore-first-read',
  'layer-check',
  'alert-pending',
  'alert-firing',
  'alert-notified',
  'alert-resolved',
  'vrrp-state',
  'vip-holder',
  'backend-down',
  'backend-up',
  'split-brain',
] as const;
/**
 * What a node says in its own log (the log-rules.ts of redis and mysql under stacks): a replica losing or regaining its primary, a
 * node becoming primary or a replica again, a server ready or shutting down, semi-sync switching off or on,
 * a server loading its data from disk after a restart (and finding its tail cut), crash recovery, a snapshot saved;
 * Patroni taking or losing the leader lock (or keeping the primary through failsafe mode), etcd electing
 * or losing its raft leader, HAProxy taking a node in or out of its write backend, Patroni naming a synchronous
 * standby or dropping one (stacks/patroni/log-rules.ts).
 */
export const LOG_MARKERS = [
  'replica-link-lost',
  'replica-link-up',
  'node-promoted',
  'new-timeline',
  'node-demoted',
  'node-ready',
  'node-shutdown',
  'semi-sync-off',
  'semi-sync-on',
  'data-loaded',
  'data-truncated',
  'crash-recovery',
  'snapshot-saved',
  'leader-lock-acquired',
  'leader-lock-lost',
  'failsafe-leader',
  'dcs-leader-elected',
  'dcs-leader-lost',
  'proxy-server-up',
  'proxy-server-down',
  'sync-standby-set',
  'sync-standby-lost',
] as const;
/** A bring-your-own stack put back as it was (compose). */
export const STACK_MARKERS = ['restore', 'restore-error'] as const;
/**
 * Redis Sentinel's Pub/Sub events, named as Sentinel publishes them ('+switch-master' → 'switch-master',
 * '-sdown' → 'end-sdown'); an event not in this list is 'sentinel-other' (its message keeps the name).
 */
export const SENTINEL_MARKERS = [
  'sdown',
  'end-sdown',
  'odown',
  'end-odown',
  'new-epoch',
  'try-failover',
  'vote-for-leader',
  'elected-leader',
  'failover-state-select-slave',
  'selected-slave',
  'no-good-slave',
  'failover-state-send-slaveof-noone',
  'failover-state-wait-promotion',
  'promoted-slave',
  'failover-state-reconf-slaves',
  'slave-reconf-sent',
  'slave-reconf-inprog',
  'slave-reconf-done',
  'failover-end',
  'failover-end-for-timeout',
  'failover-detected',
  'end-failover-abort-not-elected',
  'end-failover-abort-no-good-slave',
  'switch-master',
  'slave',
  'sentinel',
  'end-dup-sentinel',
  'reset-master',
  'tilt',
  'end-tilt',
  'monitor',
  'end-monitor',
  'set',
  'config-update-from',
  'convert-to-slave',
  'fix-slave-config',
  'role-change',
  'end-role-change',
  'reboot',
  'redirect-to-master',
  'sentinel-other',
] as const;

export type RunnerMarker = (typeof RUNNER_MARKERS)[number];
export type RunbookMarker = (typeof RUNBOOK_MARKERS)[number];
export type SentinelMarker = (typeof SENTINEL_MARKERS)[number];
export type LayerMarker = (typeof LAYER_MARKERS)[number];
export type LogMarker = (typeof LOG_MARKERS)[number];
export type MarkerKind = RunnerMarker | (typeof MEASURE_MARKERS)[number] | RunbookMarker | (typeof STACK_MARKERS)[number] | LayerMarker | LogMarker | SentinelMarker;

export const MARKER_KINDS: readonly MarkerKind[] = [...RUNNER_MARKERS, ...MEASURE_MARKERS, ...RUNBOOK_MARKERS, ...STACK_MARKERS, ...LAYER_MARKERS, ...LOG_MARKERS, ...SENTINEL_MARKERS];

const known = new Set<string>(MARKER_KINDS);
/** A marker read back from a result.json (any drill version): known to this one, or not. */
export const isMarkerKind = (value: unknown): value is MarkerKind => typeof value === 'string' && known.has(value);

const sentinel = new Set<string>(SENTINEL_MARKERS);
/** The marker of a Sentinel Pub/Sub channel ('+switch-master' → 'switch-master'). */
export function sentinelMarker(channel: string): SentinelMarker {
  const name = channel.replace(/^[+-]/, (c) => (c === '-' ? 'end-' : ''));
  return sentinel.has(name) ? (name as SentinelMarker) : 'sentinel-other';
}
