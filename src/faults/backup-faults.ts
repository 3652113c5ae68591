import { InfraError } from '../util/errors.js';
import type { BackupDamageRequest } from './backup-damage.js';
import type { FaultContext, FaultPlugin, FaultStep, InjectedFault } from './plugin.js';
import { timeBox } from './time-box.js';

// The bad-backup faults (docs/backup-restore.md): the backup layer damages its own store on request.
// corrupt-backup and break-binlog-chain are not undone (the damage is the point); backup-store-down is
// healed after `duration` (the store joins the stack's network again) or at the end of the run.

async function damage(ctx: FaultContext, step: FaultStep<'corrupt-backup' | 'break-binlog-chain' | 'backup-store-down'>, req: BackupDamageRequest): Promise<InjectedFault> {
  const holder = (ctx.layers ?? []).find((l) => l.damageBackups !== undefined);
  if (!holder?.damageBackups) throw new InfraError(`fault ${step.fault}: the drill has no backup layer whose store it could damage`);
  const injectedAtMs = ctx.clock.nowMs();
  const done = await holder.damageBackups.call(holder, req);
  const injectReturnedAtMs = ctx.clock.nowMs();
  ctx.note({ atMs: injectReturnedAtMs, source: 'backup', message: done.message, marker: 'backup-damage' });
  return timeBox(ctx, { kind: step.fault, target: step.target, container: done.container, durationMs: step.durationMs }, { injectedAtMs, injectReturnedAtMs, undo: done.undo, details: done.details });
}

/** Flip bytes in, or truncate, the newest backup in the store (its checksum no longer matches). */
export const corruptBackup: FaultPlugin<'corrupt-backup'> = {
  kind: 'corrupt-backup',
  network: false,
  inject: (ctx, step) => damage(ctx, step, { kind: 'corrupt-backup', how: step.how, backup: step.backup }),
};

/** Remove one archived binlog file: the primary's binlog is rotated twice, the file between is deleted from the archive. */
export const breakBinlogChain: FaultPlugin<'break-binlog-chain'> = {
  kind: 'break-binlog-chain',
  network: false,
  inject: (ctx, step) => damage(ctx, step, { kind: 'break-binlog-chain', gapMs: step.gapMs }),
};

/** The backup store cut off from the stack's network: scheduled backups fail until it is back. */
export const backupStoreDown: FaultPlugin<'backup-store-down'> = {
  kind: 'backup-store-down',
  network: false,
  inject: (ctx, step) => damage(ctx, step, { kind: 'backup-store-down' }),
};
