import type { FaultRecord } from '../measure/types.js';

// Faults that damage the backups rather than the data (docs/backup-restore.md, "Bad backups"): the
// backup layer carries them out on its own store. They prepare a disaster, they are not one: the RTO,
// the backup age and the RPO are measured from the first fault that is not one of these.

export const BACKUP_DAMAGE_FAULTS = ['corrupt-backup', 'break-binlog-chain', 'backup-store-down'] as const;
export type BackupDamageKind = (typeof BACKUP_DAMAGE_FAULTS)[number];

export function isBackupDamage(kind: string): boolean {
  return (BACKUP_DAMAGE_FAULTS as readonly string[]).includes(kind);
}

/** The faults that are the disaster (everything but damage to the backups and a drill's conditions, such as a slow link), in order. */
export function disasterFaults<F extends { kind: string; condition?: boolean }>(faults: readonly F[]): F[] {
  return faults.filter((f) => !isBackupDamage(f.kind) && !f.condition);
}

export type BackupDamageRequest =
  { kind: 'corrupt-backup'; how: 'flip' | 'truncate'; backup: 'newest' | 'newest-full' } | { kind: 'break-binlog-chain'; gapMs: number } | { kind: 'backup-store-down' };

export interface BackupDamageDone {
  /** The container damaged (the backup store). */
  container: string;
  /** What the fault record adds (the backup corrupted, the binlog removed, ...). */
  details: Partial<FaultRecord>;
  /** In words, for the timeline. */
  message: string;
  /** Undo (the store reachable again), or null when nothing heals it. */
  undo: (() => Promise<unknown>) | null;
}

/** A layer that holds backups and can damage them on request. */
export interface BackupHolder {
  damageBackups?(req: BackupDamageRequest): Promise<BackupDamageDone>;
}
