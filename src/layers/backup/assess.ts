import type { WriteRecord } from '../../load/history.js';
import type { ReadRecord } from '../../load/read-load.js';
import { classifyWrites } from '../../measure/classify.js';
import { formatDurationMs } from '../../spec/duration.js';
import type { ArchiveSample, BackupMethod, BackupLayerResult, BackupRecord, DisasterRestoreRecord, LayerCheck, RestoreRecord } from '../result.js';
import { assessRestores } from './assess-restore.js';

// The backup layer's judgement of the run, from what it recorded and what the restore gave back. Pure,
// so the arithmetic is unit-tested (test/unit/backup-assess.test.ts). docs/backup.md states the meaning.

export interface BackupAssessInput {
  method: BackupMethod;
  everyMs: number;
  keep: number;
  rpoMs: number | undefined;
  containers: BackupLayerResult['containers'];
  backups: BackupRecord[];
  /** The backup restored: the newest one finished before the disaster instant and still kept. */
  restore: RestoreRecord | null;
  restoredIds: ReadonlySet<number> | null;
  history: readonly WriteRecord[];
  /** The tracked reads (load.reads), if any. */
  reads?: readonly ReadRecord[];
  /** The moment the data is lost in this reading of the run: the first fault, or the end of the load. */
  disasterAtMs: number;
  disasterIs: 'the first fault' | 'the end of the load';
  archive?: { samples: ArchiveSample[] } | null;
  restores?: DisasterRestoreRecord[];
  presentIds?: ReadonlySet<number> | null;
  backupAgeMs?: number;
  restoreTimeMs?: number;
  /** When the load ended (run-clock ms). */
  loadEndMs?: number;
  /** When a backup-store-down fault cut the store off (run-clock ms): the backups that failed then were missed on purpose. */
  storeDown?: { fromMs: number; toMs: number }[];
}

/**
 * Retention: the newest `keep` successful backups, and the newest one finished before the first fault.
 * Had the data been destroyed at the fault, no later backup would exist to push that one out, so the
 * drill's "restore as of the fault" needs it, whatever happened after.
 */
export function retainedBackups(backups: readonly BackupRecord[], keep: number, firstFaultAtMs: number | null): BackupRecord[] {
  const ok = backups.filter((b) => b.ok);
  const kept = new Set(ok.slice(-keep));
  const beforeFault = firstFaultAtMs === null ? undefined : ok.filter((b) => b.endedAtMs <= firstFaultAtMs).at(-1);
  if (beforeFault) kept.add(beforeFault);
  return ok.filter((b) => kept.has(b));
}

/** The newest retained backup that finished before `atMs`. */
export function backupToRestore(backups: readonly BackupRecord[], keep: number, atMs: number, firstFaultAtMs: number | null): BackupRecord | null {
  return (
    retainedBackups(backups, keep, firstFaultAtMs)
      .filter((b) => b.endedAtMs <= atMs)
      .at(-1) ?? null
  );
}

export function assessBackups(input: BackupAssessInput): BackupLayerResult {
  const { backups, restore, restoredIds, history, disasterAtMs } = input;
  const checks: LayerCheck[] = [];
  const ok = backups.filter((b) => b.ok);
  const durations = ok.map((b) => b.endedAtMs - b.startedAtMs);
  const sizes = ok.map((b) => b.bytes ?? 0);
  // A backup of a primary that has just died fails until the system has a new primary: expected, and
  // said so. Any other failure, or no successful backup after the fault, fails the check.
  const firstFaultAtMs = input.disasterIs === 'the first fault' ? disasterAtMs : null;
  const resumedAtMs = firstFaultAtMs === null ? null : (ok.find((b) => b.startedAtMs >= firstFaultAtMs)?.startedAtMs ?? null);
  // A backup the fault cut short (running when it struck) counts with those that found no primary.
  const duringFailover = (b: BackupRecord) => firstFaultAtMs !== null && b.endedAtMs >= firstFaultAtMs && (resumedAtMs === null || b.startedAtMs < resumedAtMs);
  // Backups must resume after the fault, once a backup slot came round after the last restore (a drill
  // that backs up every 30 s may end before the next slot: that is no failure to resume).
  const settledAtMs = Math.max(firstFaultAtMs ?? 0, ...(input.restores ?? []).map((r) => r.endedAtMs));
  const slotDue = input.loadEndMs === undefined || input.loadEndMs - settledAtMs > input.everyMs;
  // A backup attempted while a fault held the store down was missed, as the fault meant: reported, not a failure of the scheme.
  const storeWasDown = (b: BackupRecord) => (input.storeDown ?? []).some((w) => b.endedAtMs >= w.fromMs && b.startedAtMs <= w.toMs);
  const failed = backups.filter((b) => !b.ok);
  const missed = failed.filter(storeWasDown);
  const unexpected = failed.filter((b) => !storeWasDown(b) && (!duringFailover(b) || (resumedAtMs === null && slotDue)));
  const tolerated = failed.length - unexpected.length - missed.length;
  const notResumed = firstFaultAtMs !== null && resumedAtMs === null && slotDue;
  checks.push({
    name: 'backups succeeded',
    ok: backups.length > 0 && unexpected.length === 0 && !notResumed,
    measured: `${ok.length} of ${backups.length}`,
    detail:
      backups.length === 0
        ? 'no backup was started during the load'
        : `${ok.length} of ${backups.length} backups succeeded` +
          (ok.length ? ` (${range(durations, (v) => `${Math.round(v)} ms`)}, ${range(sizes, kib)})` : '') +
          (missed.length ? `; ${missed.length} missed while the store was cut off (${missed.map((b) => `#${b.seq}`).join(', ')}: backup-store-down)` : '') +
          (tolerated ? `; ${tolerated} failed between the fault and the first backup of the new primary (cut short by the fault, or no primary to back up: expected)` : '') +
          (unexpected.length ? `; failed: #${unexpected[0]!.seq}: ${unexpected[0]!.error ?? 'failed'}` : '') +
          (notResumed ? '; no backup succeeded after the fault: backups did not resume on the new primary' : ''),
  });

  const restored = restore && restoredIds ? backups.find((b) => b.seq === restore.seq) : undefined;
  checks.push({
    name: 'restore',
    ok: restored !== undefined,
    ...(restore && restoredIds ? { measured: `${Math.round(restore.restoreMs)} ms` } : {}),
    detail: restore
      ? restoredIds
        ? `${(restore.skipped ?? []).map((k) => `backup #${k.seq} skipped (${k.why}); `).join('')}backup #${restore.seq} restored into a scratch server in ${Math.round(restore.restoreMs)} ms: ${restoredIds.size} writes read back`
        : `backup #${restore.seq} could not be restored: ${restore.error ?? 'unknown error'}`
      : `no backup finished before ${input.disasterIs} is kept (${ok.length} succeeded, keep: ${input.keep}): nothing to restore`,
  });

  let lostIfRestored: number | null = null;
  let restoreRpoMs: number | null = null;
  if (restored && restoredIds) {
    // Consistency: every write acknowledged before the backup started must be in it.
    const missing = history.filter((w) => w.outcome === 'ok' && w.completeMs < restored.startedAtMs && !restoredIds.has(w.id));
    checks.push({
      name: 'backup holds every write acknowledged before it started',
      ok: missing.length === 0,
      measured: `${missing.length} missing`,
      detail: missing.length
        ? `${missing.length} writes acknowledged before backup #${restored.seq} started are not in it (first id ${missing[0]!.id}): the backup is not a consistent snapshot`
        : `every write acknowledged before backup #${restored.seq} started at ${Math.round(restored.startedAtMs)} ms is in it`,
    });
    // At the disaster instant a write still in flight had no known outcome: it counts as unknown, never as lost.
    const atDisaster = history.filter((w) => w.invokeMs < disasterAtMs).map((w) => (w.outcome === 'ok' && w.completeMs >= disasterAtMs ? { ...w, outcome: 'unknown' as const } : w));
    const c = classifyWrites(atDisaster, restoredIds, disasterAtMs);
    lostIfRestored = c.lostWrites;
    restoreRpoMs = c.lostWrites === 0 ? 0 : c.rpoMs;
    const window = restoreRpoMs === null ? 'n/a' : formatDurationMs(restoreRpoMs);
    checks.push({
      name: 'restore RPO',
      ok: input.rpoMs === undefined || (restoreRpoMs !== null && restoreRpoMs <= input.rpoMs),
      ...(input.rpoMs === undefined ? {} : { declared: `≤ ${formatDurationMs(input.rpoMs)}` }),
      measured: window,
      detail: `restored at ${input.disasterIs} (${Math.round(disasterAtMs)} ms), backup #${restored.seq} would lose ${c.lostWrites} acknowledged writes: a data-loss window of ${window}`,
    });
  }
  const r = assessRestores({
    backups,
    archive: input.archive ?? null,
    restores: input.restores ?? [],
    history,
    ...(input.reads ? { reads: input.reads } : {}),
    presentIds: input.presentIds ?? null,
    disasterAtMs: firstFaultAtMs,
    backupAgeMs: input.backupAgeMs,
    restoreTimeMs: input.restoreTimeMs,
    aof: input.method === 'aof',
  });
  checks.push(...r.checks);
  return {
    kind: 'backup',
    method: input.method,
    everyMs: input.everyMs,
    keep: input.keep,
    containers: input.containers,
    backups,
    restore,
    lostIfRestored,
    restoreRpoMs,
    binlogArchive: input.archive ?? null,
    backupAgeMs: r.backupAgeMs,
    archiveAgeMs: r.archiveAgeMs,
    restores: r.restores,
    rpoExplained: r.rpoExplained,
    checks,
  };
}

function range(values: number[], fmt: (v: number) => string): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
