import type { PatroniRewind } from './patroni-rewind.js';
import type { TimelineEvent } from './types.js';

// A Patroni failover explained by its own settings (docs/patroni.md): what ttl, loop_wait and
// retry_timeout let one expect after the first fault, next to what the nodes' own logs and the client
// measured. Pure: the settings, the fault and the events in, the explanation out.
//
// - A leader that dies stops renewing its key; the key was renewed at most loop_wait before, so it
//   expires between ttl − loop_wait and ttl after the fault, and a replica (woken by its watch on the
//   key, or on its next loop) takes the lock within loop_wait of that.
// - A leader cut off from etcd tries to renew on its next loop (≤ loop_wait) and gives up after
//   retry_timeout: it demotes itself at most loop_wait + retry_timeout after the cut (Patroni's rule
//   loop_wait + 2 × retry_timeout ≤ ttl keeps that before its key expires), unless failsafe_mode
//   keeps it primary because every member still answers it.

export interface PatroniTimings {
  ttlMs: number;
  loopWaitMs: number;
  retryTimeoutMs: number;
  failsafeMode: boolean;
  /** HAProxy: a node is put in after `rise` checks `inter` apart. */
  proxyInterMs: number;
  proxyRise: number;
}

export interface Bound {
  lowMs: number;
  highMs: number;
}

export interface PatroniFailover {
  settings: { ttlMs: number; loopWaitMs: number; retryTimeoutMs: number; failsafeMode: boolean };
  /** After the fault: when a node took the leader lock (expected from ttl/loop_wait, and from its log). */
  lockTaken: { expected: Bound | null; measuredMs: number | null; node: string | null };
  /** After the fault: when the old leader demoted itself (cut off from etcd), expected and from its log. */
  demoted: { expected: Bound | null; measuredMs: number | null; node: string | null };
  /** After the fault: when HAProxy put a node back in its write backend (its log). */
  proxyUpMs: number | null;
  /** Writes acknowledged after the fault and missing after recovery (a cut-off leader still writing): how many, and the last one's ack after the fault. */
  ackedAfterFault: { lost: number; lastAckMs: number | null };
  /** Former leaders Patroni rewound with pg_rewind, with the WAL only they had (their divergence). */
  rewinds: PatroniRewind[];
  /** The whole story in one paragraph, for the report. */
  text: string;
}

/** What kind of first fault it was, as far as Patroni can tell: the leader gone, the leader cut off from etcd, or etcd without a majority. */
export type PatroniFaultShape = 'leader-down' | 'leader-isolated' | 'dcs-lost' | 'other';

const s = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
const range = (b: Bound) => `${s(b.lowMs)}–${s(b.highMs)}`;

function nodeOf(e: TimelineEvent): string | null {
  return e.log?.node ?? null;
}

export interface ClientView {
  rtoMs: number | null;
  /** Lost writes acknowledged after the fault, and the last such ack (run clock). */
  lostAckedAfterFault: number;
  lastLostAckAtMs: number | null;
}

export function explainPatroniFailover(t: PatroniTimings, shape: PatroniFaultShape, faultAtMs: number, events: readonly TimelineEvent[], client: ClientView): Omit<PatroniFailover, 'rewinds'> {
  const rtoMs = client.rtoMs;
  const after = events.filter((e) => e.atMs >= faultAtMs);
  const lock = after.find((e) => e.marker === 'leader-lock-acquired') ?? null;
  const demote = after.find((e) => e.marker === 'leader-lock-lost') ?? null;
  const proxyUp = after.find((e) => e.marker === 'proxy-server-up') ?? null;
  const lockExpected: Bound | null = shape === 'leader-down' || shape === 'leader-isolated' ? { lowMs: t.ttlMs - t.loopWaitMs, highMs: t.ttlMs + t.loopWaitMs } : null;
  const demoteExpected: Bound | null = shape === 'leader-isolated' || (shape === 'dcs-lost' && !t.failsafeMode) ? { lowMs: 0, highMs: t.loopWaitMs + t.retryTimeoutMs } : null;
  const rel = (e: TimelineEvent | null) => (e ? Math.round(e.atMs - faultAtMs) : null);
  const parts: string[] = [
    `Patroni ttl ${s(t.ttlMs)}, loop_wait ${s(t.loopWaitMs)}, retry_timeout ${s(t.retryTimeoutMs)}${t.failsafeMode ? ', failsafe_mode on' : ''}. Times are from ${shape === 'dcs-lost' ? "the fault that took etcd's majority" : 'the fault'}.`,
  ];
  if (lockExpected) {
    parts.push(
      `Expected: the old leader's key expires ${range({ lowMs: t.ttlMs - t.loopWaitMs, highMs: t.ttlMs })} after the fault (ttl, less up to one loop_wait since its last renewal), and a replica takes the lock within a loop_wait of that (${range(lockExpected)}).`,
    );
    parts.push(
      lock ? `Measured: ${nodeOf(lock) ?? 'a node'} took the leader lock ${s(rel(lock)!)} after the fault (its own log).` : 'Measured: no node logged taking the leader lock after the fault.',
    );
  }
  if (demoteExpected) {
    parts.push(`Expected: the leader, unable to renew its key, demotes itself within loop_wait + retry_timeout (${s(demoteExpected.highMs)}) of the cut, before its key expires at ttl.`);
    parts.push(demote ? `Measured: ${nodeOf(demote) ?? 'a node'} demoted itself ${s(rel(demote)!)} after the fault (its own log).` : 'Measured: no node logged demoting itself after the fault.');
  }
  if (shape === 'dcs-lost' && t.failsafeMode) {
    const kept = after.some((e) => e.marker === 'failsafe-leader');
    parts.push(
      `failsafe_mode: the leader stays primary while every member answers it over the REST API${kept ? ' (its log says so)' : ''}${demote ? `; it demoted itself nonetheless ${s(rel(demote)!)} after the fault` : ''}.`,
    );
  }
  if (proxyUp) parts.push(`HAProxy put a node back in its write backend ${s(rel(proxyUp)!)} after the fault (its next check after the promotion; inter ${s(t.proxyInterMs)}, rise ${t.proxyRise}).`);
  const lastAckMs = client.lostAckedAfterFault > 0 && client.lastLostAckAtMs !== null ? Math.round(client.lastLostAckAtMs - faultAtMs) : null;
  if (lastAckMs !== null)
    parts.push(
      `The old leader acknowledged ${client.lostAckedAfterFault} writes after the fault that the new leader does not have, the last ${s(lastAckMs)} after the fault${t.ttlMs > 0 ? ` (ttl ${s(t.ttlMs)})` : ''}: they are lost.`,
    );
  if (rtoMs !== null) parts.push(`The client saw writes back ${s(rtoMs)} after the fault (RTO; writes a cut-off leader acknowledged count as successes there).`);
  return {
    settings: { ttlMs: t.ttlMs, loopWaitMs: t.loopWaitMs, retryTimeoutMs: t.retryTimeoutMs, failsafeMode: t.failsafeMode },
    lockTaken: { expected: lockExpected, measuredMs: rel(lock), node: lock ? nodeOf(lock) : null },
    demoted: { expected: demoteExpected, measuredMs: rel(demote), node: demote ? nodeOf(demote) : null },
    proxyUpMs: rel(proxyUp),
    ackedAfterFault: { lost: client.lostAckedAfterFault, lastAckMs },
    text: parts.join(' '),
  };
}
