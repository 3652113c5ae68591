import type { ObjectiveResult } from './types.js';

// The restore objectives (docs/backup-restore.md): restoreTime (restore step to the first write the
// restored node acknowledged) and backupAge (age of the newest usable backup at the disaster, or the
// binlog archive's when there is one), judged like the others: measured ≤ declared, exit 1 when missed.
// The figures come from the backup layer's result; this file only judges them.

export interface RestoreFigures {
  /** The last restore step's time to its first good write, null when none completed. */
  restoreTimeMs: number | null;
  /** How early the restored node could have been serving: the load sends one write every 1/rate s. */
  restorePrecisionMs: number;
  /** The archive's age at the disaster when there is an archive, else the newest usable backup's; null without either. */
  backupAgeMs: number | null;
  /** ± of that age: the archive is sampled once a second; a backup's age is as sharp as the fault's instant. */
  backupAgePrecisionMs: number;
  /** Why a figure is missing, in words. */
  restoreWhy: string;
  backupAgeWhy: string;
}

export function evaluateRestoreObjectives(declared: { restoreTimeMs?: number | undefined; backupAgeMs?: number | undefined }, figures: RestoreFigures | null): ObjectiveResult[] {
  const out: ObjectiveResult[] = [];
  const judge = (name: 'restoreTimeMs' | 'backupAgeMs', bound: number | undefined, measured: number | null, precisionMs: number, why: string) => {
    if (bound === undefined) return;
    const value = measured === null ? null : Math.round(measured * 10) / 10;
    const met = value !== null && value <= bound;
    out.push({
      name,
      declared: bound,
      measured: value,
      met,
      unit: 'ms',
      state: met ? 'met' : value === null ? 'not-measured' : 'missed',
      ...(value === null ? { why } : { precisionMs: Math.round(precisionMs * 10) / 10 }),
    });
  };
  judge('restoreTimeMs', declared.restoreTimeMs, figures?.restoreTimeMs ?? null, figures?.restorePrecisionMs ?? 0, figures?.restoreWhy ?? 'the drill has no backup layer');
  judge('backupAgeMs', declared.backupAgeMs, figures?.backupAgeMs ?? null, figures?.backupAgePrecisionMs ?? 0, figures?.backupAgeWhy ?? 'the drill has no backup layer');
  return out;
}
