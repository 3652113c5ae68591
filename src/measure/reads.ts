import type { WriteRecord } from '../load/history.js';
import type { ReadRecord } from '../load/read-load.js';
import { percentileSorted } from './percentiles.js';
import { findRecovery } from './recovery.js';
import { roundMs } from './round.js';

// The read side of a run (docs/reads.md), pure: the reads' own RTO and downtime (the write rules of
// recovery.ts applied to the reads), and three anomalies checked against the write history. Keyed
// writes: write id N is a new version of key N mod keys; a key's version on a node is the largest id
// that node applied to it.
// - stale read: an `any` read returned an older version (or nothing) although a newer write to its key
//   had been acknowledged before the read was sent.
// - read-your-writes violation: an `own` read (for the key of the newest write this load had been
//   acknowledged when it sent the read) missed that write: nothing, or an older version.
// - dirty read: a read returned a version that is not in the data after recovery: a write that was never
//   acknowledged, or acknowledged and then lost (an isolated old primary's).

export interface ReadAnomaly {
  seq: number;
  key: number;
  atMs: number;
  /** What the read returned (null: not found). */
  read: number | null;
  /** What it should have seen at least (stale, own); the version itself for dirty reads. */
  expected: number;
  /** stale and own: how long before the read the first write it missed had been acknowledged. */
  missedForMs?: number;
}

export interface AnomalyCount {
  count: number;
  /** The send times of the first and last anomalous read (the window). */
  firstAtMs: number | null;
  lastAtMs: number | null;
  /** The first 20. */
  examples: ReadAnomaly[];
}

export interface ReadsMeasured {
  total: number;
  ok: number;
  notFound: number;
  fail: number;
  unknown: number;
  rtoMs: number | null;
  downtimeMs: number | null;
  firstFailureAtMs: number | null;
  recoveredAtMs: number | null;
  precisionMs: number;
  /** ok reads that could be checked for staleness (an acknowledged write to the key existed before them). */
  checkedReads: number;
  stale: AnomalyCount;
  /** p50 / max of missedForMs over the stale reads: how far behind the node read was. */
  staleLagMs: { p50: number; max: number } | null;
  readYourWrites: AnomalyCount;
  /** null: the data could not be read back after recovery, so dirty reads cannot be told. */
  dirty: (AnomalyCount & { ackedThenLost: number; neverAcked: number }) | null;
  /** The reads per timeline bucket, by send time (the writes' buckets and range): the report's reads row. */
  buckets: ReadBucket[];
  notes: string[];
}

/** One bucket of reads: ok ones split by what they saw (fresh, stale, missed own write, dirty). */
export interface ReadBucket {
  startMs: number;
  ok: number;
  stale: number;
  ownMissed: number;
  dirty: number;
  fail: number;
  unknown: number;
}

export interface ReadsInput {
  reads: readonly ReadRecord[];
  writes: readonly WriteRecord[];
  keys: number;
  presentIds: ReadonlySet<number> | null;
  tFaultMs: number | null;
  injectMs: number;
  stableMs: number;
  timerResolutionMs: number;
  /** The writes' timeline: the reads are bucketed the same way (absent: no buckets). */
  timeline?: { bucketMs: number; fromMs: number; toMs: number };
}

const EXAMPLES = 20;

export function measureReads(input: ReadsInput): ReadsMeasured {
  const reads = [...input.reads].sort((a, b) => a.invokeMs - b.invokeMs);
  const notes: string[] = [];
  const counts = { ok: 0, notFound: 0, fail: 0, unknown: 0 };
  for (const r of reads) {
    counts[r.outcome]++;
    if (r.outcome === 'ok' && r.version === null) counts.notFound++;
  }

  // The reads' availability by the rules of writes (recovery.ts): a read is a record with an outcome.
  const asRecords: WriteRecord[] = reads.map((r) => ({ id: r.seq, scheduledMs: r.scheduledMs, invokeMs: r.invokeMs, completeMs: r.completeMs, outcome: r.outcome }));
  const recovery = findRecovery({
    sorted: asRecords,
    tFaultMs: input.tFaultMs,
    injectMs: input.injectMs,
    stableMs: input.stableMs,
    timerResolutionMs: input.timerResolutionMs,
    baselineLatencyMs: baselineLatency(reads, input.tFaultMs),
  });
  notes.push(...recovery.notes.map((n) => n.replaceAll('writes', 'reads').replaceAll('write', 'read')));

  const kinds = new Map<number, ReadKind>();
  const { stale, readYourWrites, checkedReads, lags } = consistency(reads, input.writes, input.keys, kinds);
  const dirty = input.presentIds === null ? null : dirtyReads(reads, input.writes, input.presentIds, kinds);
  lags.sort((a, b) => a - b);
  return {
    total: reads.length,
    ...counts,
    rtoMs: recovery.rtoMs,
    downtimeMs: recovery.downtimeMs,
    firstFailureAtMs: recovery.firstFailureAtMs,
    recoveredAtMs: recovery.recoveredAtMs,
    precisionMs: recovery.precisionMs,
    checkedReads,
    stale,
    staleLagMs: lags.length > 0 ? { p50: roundMs(percentileSorted(Float64Array.from(lags), 50)), max: roundMs(lags[lags.length - 1]!) } : null,
    readYourWrites,
    dirty,
    buckets: input.timeline ? readBuckets(reads, kinds, input.timeline) : [],
    notes,
  };
}

function baselineLatency(reads: readonly ReadRecord[], tFaultMs: number | null): number {
  const before = reads.filter((r) => r.outcome === 'ok' && (tFaultMs === null || r.completeMs < tFaultMs)).map((r) => r.completeMs - r.invokeMs);
  before.sort((a, b) => a - b);
  return before.length > 0 ? percentileSorted(Float64Array.from(before), 99) : 0;
}

function emptyCount(): AnomalyCount {
  return { count: 0, firstAtMs: null, lastAtMs: null, examples: [] };
}

function add(c: AnomalyCount, a: ReadAnomaly): void {
  c.count++;
  c.firstAtMs ??= a.atMs;
  c.lastAtMs = a.atMs;
  if (c.examples.length < EXAMPLES) c.examples.push(a);
}

/**
 * One sweep over the ok reads in send order and the acknowledged writes in completion order: before each
 * read, every write acknowledged before it was sent is known (per key, in ack order). O(n log n).
 */
type ReadKind = 'stale' | 'ownMissed' | 'dirty';

function consistency(
  reads: readonly ReadRecord[],
  writes: readonly WriteRecord[],
  keys: number,
  kinds: Map<number, ReadKind>,
): { stale: AnomalyCount; readYourWrites: AnomalyCount; checkedReads: number; lags: number[] } {
  const acked = writes.filter((w) => w.outcome === 'ok').sort((a, b) => a.completeMs - b.completeMs);
  const ackedByKey = new Map<number, WriteRecord[]>();
  const newest = new Map<number, number>();
  const stale = emptyCount();
  const readYourWrites = emptyCount();
  const lags: number[] = [];
  let checkedReads = 0;
  let w = 0;
  for (const r of reads) {
    if (r.outcome !== 'ok' || r.version === undefined) continue;
    while (w < acked.length && acked[w]!.completeMs < r.invokeMs) {
      const write = acked[w++]!;
      const key = write.id % keys;
      const list = ackedByKey.get(key) ?? [];
      list.push(write);
      ackedByKey.set(key, list);
      if (write.id > (newest.get(key) ?? -1)) newest.set(key, write.id);
    }
    const read = r.version;
    if (r.ownWriteId !== undefined) {
      if (read === null || read < r.ownWriteId) {
        kinds.set(r.seq, 'ownMissed');
        add(readYourWrites, { seq: r.seq, key: r.key, atMs: r.invokeMs, read, expected: r.ownWriteId, missedForMs: missedFor(ackedByKey.get(r.key), read, r.invokeMs) });
      }
      continue;
    }
    const expected = newest.get(r.key);
    if (expected === undefined) continue;
    checkedReads++;
    if (read === null || read < expected) {
      const missedForMs = missedFor(ackedByKey.get(r.key), read, r.invokeMs);
      kinds.set(r.seq, 'stale');
      add(stale, { seq: r.seq, key: r.key, atMs: r.invokeMs, read, expected, missedForMs });
      if (missedForMs !== undefined) lags.push(missedForMs);
    }
  }
  return { stale, readYourWrites, checkedReads, lags };
}

/** The read's send time minus the ack of the earliest-acknowledged write to its key newer than what it read. */
function missedFor(ackedOfKey: readonly WriteRecord[] | undefined, read: number | null, atMs: number): number | undefined {
  const first = ackedOfKey?.find((w) => read === null || w.id > read);
  return first ? roundMs(atMs - first.completeMs) : undefined;
}

function dirtyReads(
  reads: readonly ReadRecord[],
  writes: readonly WriteRecord[],
  presentIds: ReadonlySet<number>,
  kinds: Map<number, ReadKind>,
): AnomalyCount & { ackedThenLost: number; neverAcked: number } {
  const outcomeOf = new Map<number, WriteRecord['outcome']>();
  for (const w of writes) outcomeOf.set(w.id, w.outcome);
  const dirty = { ...emptyCount(), ackedThenLost: 0, neverAcked: 0 };
  for (const r of reads) {
    if (r.outcome !== 'ok' || r.version === undefined || r.version === null) continue;
    // Only this run's own writes can be judged (a version from elsewhere is not in its history).
    if (!outcomeOf.has(r.version) || presentIds.has(r.version)) continue;
    kinds.set(r.seq, 'dirty'); // the worst thing a read saw is what its bucket shows
    add(dirty, { seq: r.seq, key: r.key, atMs: r.invokeMs, read: r.version, expected: r.version });
    if (outcomeOf.get(r.version) === 'ok') dirty.ackedThenLost++;
    else dirty.neverAcked++;
  }
  return dirty;
}

function readBuckets(reads: readonly ReadRecord[], kinds: ReadonlyMap<number, ReadKind>, t: { bucketMs: number; fromMs: number; toMs: number }): ReadBucket[] {
  const n = Math.max(0, Math.ceil((t.toMs - t.fromMs) / t.bucketMs));
  const buckets = Array.from({ length: n }, (_, b): ReadBucket => ({ startMs: roundMs(t.fromMs + b * t.bucketMs), ok: 0, stale: 0, ownMissed: 0, dirty: 0, fail: 0, unknown: 0 }));
  for (const r of reads) {
    const bucket = buckets[Math.floor((r.invokeMs - t.fromMs) / t.bucketMs)];
    if (!bucket) continue;
    if (r.outcome !== 'ok') bucket[r.outcome]++;
    else bucket[kinds.get(r.seq) ?? 'ok']++;
  }
  return buckets;
}
