import { formatDurationMs } from '../spec/duration.js';
import { InfraError } from '../util/errors.js';
import type { RunbookAction } from './plugin.js';

/**
 * "Are our backups restorable?": the backup layer restores its newest usable backup into a scratch node
 * while the primary keeps serving, reads it back and removes the node (docs/backup-restore.md). A check
 * that fails is reported by the layer (its checks), not as a broken runbook: the drill still measures.
 */
export const restoreCheck: RunbookAction<'restore-check'> = {
  kind: 'restore-check',
  run: async (ctx, step) => {
    const layer = ctx.layers.find((l) => l.restoreCheck !== undefined);
    if (!layer?.restoreCheck) throw new InfraError('runbook step "restore-check": the drill has no backup layer to check (add layers: [{ kind: backup, ... }])');
    const r = await layer.restoreCheck.call(layer, { timeoutMs: step.timeoutMs, signal: ctx.signal });
    if (r.error) return { detail: `restore check FAILED${r.backupSeq === null ? '' : ` on backup #${r.backupSeq}`}: ${r.error}` };
    return {
      detail: `restore check: backup #${r.backupSeq} (${r.backupBytes} bytes) restored into a scratch node in ${formatDurationMs(Math.round(r.restoreMs!))}, ${r.rows} writes read back${r.checksum ? `, CHECKSUM TABLE ${r.checksum}` : ''}${r.skipped.length ? ` (skipped ${r.skipped.map((k) => `#${k.seq}`).join(', ')}: checksum changed)` : ''}; scratch node ${r.removed ? 'removed' : 'NOT removed'}`,
    };
  },
};
