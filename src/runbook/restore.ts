import { formatDurationMs } from '../spec/duration.js';
import { InfraError } from '../util/errors.js';
import type { RunbookAction } from './plugin.js';

/**
 * Restore onto a fresh node from the backup layer's newest usable backup and its binlog archive, up to
 * the latest archived transaction or to just before a named operator mistake, then point the app at it
 * (docs/backup-restore.md). Each phase is on the timeline; the layer reports the figures.
 */
export const restore: RunbookAction<'restore'> = {
  kind: 'restore',
  run: async (ctx, step) => {
    const layer = ctx.layers.find((l) => l.restore !== undefined);
    if (!layer?.restore) throw new InfraError('runbook step "restore": the drill has no backup layer to restore from (add layers: [{ kind: backup, ... }])');
    let before = null;
    if (step.before !== undefined) {
      before = ctx.faults.find((f) => f.kind === 'operator-mistake' && f.name === step.before) ?? null;
      if (!before) throw new InfraError(`runbook step "restore": no operator-mistake named "${step.before}" was injected before it`);
      // MariaDB: the GTID the replay stops before; Redis: the command cut from the AOF (it has no GTID).
      if (!before.gtid && before.replOffsetAfter === undefined) throw new InfraError(`runbook step "restore": the operator mistake "${step.before}" got no GTID`);
    }
    const r = await layer.restore.call(layer, { before, ...(step.toTime ? { toTime: step.toTime } : {}), timeoutMs: step.timeoutMs, signal: ctx.signal });
    const took = r.phases.map((p) => `${p.name.replace('restore-', '')} ${formatDurationMs(Math.round(p.endedAtMs - p.startedAtMs))}`).join(', ');
    return {
      detail: `restored ${r.node} from backup #${r.backupSeq}${r.skipped?.length ? ` (skipped ${r.skipped.map((k) => `#${k.seq}: ${k.why}`).join('; ')})` : ''}${r.backupGtid ? ` (GTID ${r.backupGtid})` : ''}${r.replayedTransactions ? ` + ${r.replayedTransactions} archived transactions` : ''}, target ${r.target}: ${took}`,
      // A write acknowledged once the mistake's statement was sent may have committed after it: discarded by the recovery point, not lost.
      ...(before ? { recoveryPointMs: before.injectedAtMs } : {}),
      // To a time: the start of the whole second the replay stopped at; writes acknowledged from then on are discarded, not lost.
      ...(r.stopAtMs != null ? { recoveryPointMs: r.stopAtMs } : {}),
    };
  },
};
