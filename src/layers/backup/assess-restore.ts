import type { WriteRecord } from '../../load/history.js';
import type { ReadRecord } from '../../load/read-load.js';
import { formatDurationMs } from '../../spec/duration.js';
import type { ArchiveSample, BackupRecord, DisasterRestoreRecord, LayerCheck } from '../result.js';

// The figures of a disaster and its restore (docs/backup-restore.md): how old the newest usable backup
// was at the disaster, how far the binlog archive lagged, how long each restore took to the first good
// write, and the loss as the scheme explains it. Pure, unit-tested (test/unit/backup-restore-assess.test.ts).

export interface RestoreAssessInput {
  backups: readonly BackupRecord[];
  archive: { samples: readonly ArchiveSample[] } | null;
  restores: readonly DisasterRestoreRecord[];
  history: readonly WriteRecord[];
  /** The tracked reads, if the drill reads (first good read of old data after a restore). */
  reads?: readonly ReadRecord[];
  presentIds: ReadonlySet<number> | null;
  /** The first fault, or null without one. */
  disasterAtMs: number | null;
  backupAgeMs: number | undefined;
  restoreTimeMs: number | undefined;
  /** Redis AOF copies: a restore cuts the copied AOF before the mistake (there is no binlog archive to speak of). */
  aof?: boolean;
}

export interface RestoreAssessment {
  backupAgeMs: number | null;
  archiveAgeMs: number | null;
  restores: DisasterRestoreRecord[];
  rpoExplained: string | null;
  checks: LayerCheck[];
}

/** The first write acknowledged that was sent after `fromMs` (the app pointed at the restored node). */
export function firstGoodWriteAfter(history: readonly WriteRecord[], fromMs: number): number | null {
  let best: number | null = null;
  for (const w of history) if (w.outcome === 'ok' && w.invokeMs >= fromMs && (best === null || w.completeMs < best)) best = w.completeMs;
  return best;
}

/**
 * The first ok read sent after `fromMs` whose value is old data: a version (write id) acknowledged before
 * `disasterAtMs`. A read that finds nothing, or only a write made after the restore, proves nothing about
 * the restored data.
 */
export function firstOldReadAfter(reads: readonly ReadRecord[], history: readonly WriteRecord[], fromMs: number, disasterAtMs: number): number | null {
  const old = new Set<number>();
  for (const w of history) if (w.outcome === 'ok' && w.completeMs < disasterAtMs) old.add(w.id);
  let best: number | null = null;
  for (const r of reads) {
    if (r.outcome !== 'ok' || r.invokeMs < fromMs || r.version == null || !old.has(r.version)) continue;
    if (best === null || r.completeMs < best) best = r.completeMs;
  }
  return best;
}

export function assessRestores(input: RestoreAssessInput): RestoreAssessment {
  const checks: LayerCheck[] = [];
  const at = input.disasterAtMs;
  // Usable: a backup a restore found damaged (its checksum no longer matched) does not count.
  const skipped = new Set(input.restores.flatMap((r) => (r.skipped ?? []).map((k) => k.seq)));
  const newest = at === null ? undefined : input.backups.filter((b) => b.ok && b.endedAtMs <= at && !skipped.has(b.seq)).at(-1);
  const backupAgeMs = newest && at !== null ? at - newest.startedAtMs : null;
  // The archive's age: how long before the disaster it was last seen holding everything the primary had logged.
  const caughtUp = at === null || !input.archive ? undefined : input.archive.samples.filter((s) => s.atMs <= at && s.lagBytes === 0).at(-1);
  const archiveAgeMs = caughtUp && at !== null ? at - caughtUp.atMs : null;
  const lastSample = at === null || !input.archive ? undefined : input.archive.samples.filter((s) => s.atMs <= at).at(-1);

  const restores = input.restores.map((r) => {
    const repointedAt = r.phases.find((p) => p.name === 'restore-repoint')?.endedAtMs ?? null;
    const first = r.error || repointedAt === null ? null : firstGoodWriteAfter(input.history, repointedAt);
    const read = !input.reads?.length ? undefined : r.error || repointedAt === null || at === null ? null : firstOldReadAfter(input.reads, input.history, repointedAt, at);
    return {
      ...r,
      firstGoodWriteAtMs: first,
      restoreTimeMs: first === null ? null : first - r.startedAtMs,
      ...(read === undefined ? {} : { firstGoodReadAtMs: read, readRestoreTimeMs: read === null ? null : read - r.startedAtMs }),
      writes: input.presentIds && !r.error ? input.presentIds.size : null,
    };
  });

  if (input.backupAgeMs !== undefined) {
    const effective = archiveAgeMs ?? backupAgeMs;
    checks.push({
      name: 'backup age',
      ok: effective !== null && effective <= input.backupAgeMs,
      declared: `≤ ${formatDurationMs(input.backupAgeMs)}`,
      measured: effective === null ? 'none' : formatDurationMs(Math.round(effective)),
      detail:
        at === null
          ? 'no fault: there is no disaster instant to age the backups at'
          : `at the disaster: ${backupAgeMs === null ? 'no usable backup had finished' : `newest usable backup #${newest!.seq} ${formatDurationMs(Math.round(backupAgeMs))} old`}` +
            (skipped.size ? ` (${[...skipped].map((n) => `#${n}`).join(', ')} found damaged by the restore)` : '') +
            (input.archive
              ? `; binlog archive ${archiveAgeMs === null ? 'never seen caught up' : `last seen caught up ${formatDurationMs(Math.round(archiveAgeMs))} before it`}${lastSample?.lagBytes != null ? ` (${lastSample.lagBytes} bytes behind at its last sample)` : ''}`
              : ''),
    });
  }
  if (input.restoreTimeMs !== undefined) {
    const r = restores.at(-1);
    checks.push({
      name: 'restore time',
      ok: r !== undefined && r.restoreTimeMs !== null && r.restoreTimeMs <= input.restoreTimeMs,
      declared: `≤ ${formatDurationMs(input.restoreTimeMs)}`,
      measured: r?.restoreTimeMs == null ? 'not restored' : formatDurationMs(Math.round(r.restoreTimeMs)),
      detail: r
        ? r.error
          ? `the restore failed: ${r.error}`
          : `restore step to the first good write: ${r.phases.map((p) => `${p.name.replace('restore-', '')} ${Math.round(p.endedAtMs - p.startedAtMs)} ms`).join(', ')}${r.restoreTimeMs === null ? '; no write was acknowledged after the repoint' : `, first good write ${Math.round(r.firstGoodWriteAtMs! - (r.phases.at(-1)?.endedAtMs ?? r.startedAtMs))} ms after it`}`
        : 'no restore step ran',
    });
  }
  const last = input.restores.at(-1);
  const gap = last?.chainGap;
  const rpoExplained =
    at === null
      ? null
      : [
          backupAgeMs === null ? 'no usable backup before the disaster' : `newest usable backup ${formatDurationMs(Math.round(backupAgeMs))} old`,
          ...(last?.skipped?.length ? [`${last.skipped.map((k) => `backup #${k.seq}`).join(', ')} skipped (${last.skipped[0]!.why}), restored from #${last.backupSeq}`] : []),
          ...(gap
            ? [
                `binlog chain broken after ${gap.lastFile} (missing ${gap.missing.join(', ')}): replay stopped at ${gap.lastEventAtMs === null ? 'its end' : `binlog time ${formatDurationMs(Math.round(gap.lastEventAtMs))} (whole seconds), ${formatDurationMs(Math.round(at - gap.lastEventAtMs))} before the disaster`}`,
              ]
            : []),
          input.archive
            ? archiveAgeMs === null
              ? 'binlog archive never caught up'
              : `binlog archive caught up ${formatDurationMs(Math.round(archiveAgeMs))} before the disaster`
            : input.aof
              ? last?.aofCut?.offset != null
                ? `the AOF copy was cut at byte ${last.aofCut.offset} of ${last.aofCut.file}, where "${last.aofCut.command}" begins: every write before it kept`
                : 'AOF copies (no cut)'
              : 'no binlog archive',
        ].join('; ');
  return { backupAgeMs, archiveAgeMs, restores, rpoExplained, checks };
}
