import { performance } from 'node:perf_hooks';
import { execChecked, sh } from '../../engine/docker-exec.js';
import type { Docker } from '../../engine/docker-client.js';
import { startContainer, type RunningContainer } from '../../engine/resources.js';
import type { StackContext } from '../../stacks/plugin.js';
import type { RunClock } from '../../util/clock.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { WriteRecord } from '../../load/history.js';
import type { BackupRecord, LayerCheck, RestoreCheckRecord } from '../result.js';
import { readIdsScript, restoreScript, stopScratchScript, type BackupMethodKind } from './methods.js';
import { copy } from './restore-from-backup.js';

// A `restore-check` runbook step (docs/backup-restore.md): "are our backups restorable?", asked while the
// primary keeps serving. The newest kept backup whose checksum still matches goes into a scratch node (a
// new container of the store's image, on the store's own site: it never joins the stack or takes
// traffic), is loaded by the same method script as the post-run restore (methods.ts), read back, timed
// and measured, and the scratch node is removed.

const INBOX = '/tmp/drill-restore-check';

export interface RestoreCheckDeps {
  docker: Docker;
  run: StackContext['run'];
  clock: RunClock;
  store: RunningContainer;
  image: string;
  site: string;
  method: BackupMethodKind;
  /** Kept backups, newest first. */
  candidates: BackupRecord[];
  seq: number;
}

/** The check's record, and the ids the scratch node held (compared with the acknowledged writes after the load). */
export async function restoreCheck(deps: RestoreCheckDeps, timeoutMs: number): Promise<{ record: RestoreCheckRecord; ids: Set<number> | null }> {
  const { docker, clock } = deps;
  const startedAtMs = clock.nowMs();
  const t0 = performance.now();
  const name = `drill-${deps.run.token}-restore-check-${deps.seq}`;
  const record: RestoreCheckRecord = {
    startedAtMs,
    endedAtMs: startedAtMs,
    node: name,
    backupSeq: null,
    backupStartedAtMs: null,
    backupBytes: null,
    copiedBytes: 0,
    restoreMs: null,
    rows: null,
    checksum: null,
    skipped: [],
    removed: false,
  };
  let ids: Set<number> | null = null;
  let scratch: RunningContainer | null = null;
  try {
    scratch = await startContainer(docker, deps.run, {
      node: `restore-check-${deps.seq}`,
      name,
      role: 'restore-check',
      image: deps.image,
      cmd: ['sh', '-c', `mkdir -p ${INBOX} && exec sleep infinity`],
      networkName: deps.site,
    });
    const node = scratch;
    let chosen: BackupRecord | undefined;
    for (const candidate of deps.candidates) {
      record.copiedBytes += await copy(docker, deps.store, node, candidate.file!, INBOX);
      const path = `${INBOX}/${candidate.file!.split('/').at(-1)!}`;
      const sum = (await execChecked(docker, node.id, `checksum of backup #${candidate.seq}`, sh('sha256sum "$1" | cut -d" " -f1', path), { timeoutMs })).stdout.trim();
      if (!candidate.sha256 || sum === candidate.sha256) {
        chosen = candidate;
        break;
      }
      record.skipped.push({ seq: candidate.seq, why: `checksum mismatch: SHA-256 ${sum.slice(0, 12)}… now, ${candidate.sha256.slice(0, 12)}… when it was taken` });
    }
    if (!chosen) throw new InfraError(deps.candidates.length ? `no usable backup: ${record.skipped.map((k) => `#${k.seq} ${k.why}`).join('; ')}` : 'the store holds no backup yet');
    record.backupSeq = chosen.seq;
    record.backupStartedAtMs = chosen.startedAtMs;
    record.backupBytes = chosen.bytes;
    const file = `${INBOX}/${chosen.file!.split('/').at(-1)!}`;
    await execChecked(docker, node.id, `restore check of backup #${chosen.seq}`, sh(restoreScript(deps.method), file), { timeoutMs });
    const read = await execChecked(docker, node.id, `reading backup #${chosen.seq} back`, sh(readIdsScript(deps.method)), { timeoutMs });
    ids = new Set(
      read.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^\d+$/.test(l))
        .map(Number),
    );
    record.rows = ids.size;
    // The server's own checksum of the table (MariaDB/MySQL); Redis has none to ask for.
    if (deps.method === 'dump') {
      const sum = await execChecked(docker, node.id, 'CHECKSUM TABLE on the scratch node', sh("mariadb --no-defaults -S /tmp/restore.sock -N -B -e 'CHECKSUM TABLE drill.writes' | cut -f2"), {
        timeoutMs,
      });
      record.checksum = sum.stdout.trim() || null;
    }
    record.restoreMs = performance.now() - t0;
    await execChecked(docker, node.id, 'stopping the scratch server', sh(stopScratchScript(deps.method)), { timeoutMs: 30_000 });
  } catch (error) {
    record.error = errorMessage(error);
  } finally {
    if (scratch) {
      const c = scratch;
      await docker
        .getContainer(c.id)
        .remove({ force: true, v: true })
        .then(
          () => (record.removed = true),
          (error: unknown) => (record.error ??= `removing ${c.name}: ${errorMessage(error)}`),
        );
    }
    record.endedAtMs = clock.nowMs();
  }
  return { record, ids };
}

/** Each restore check against the writes acknowledged before its backup started: all must be there, and the scratch node gone. */
export function assessRestoreChecks(
  done: readonly { record: RestoreCheckRecord; ids: ReadonlySet<number> | null }[],
  history: readonly WriteRecord[],
): { restoreChecks: RestoreCheckRecord[]; checks: LayerCheck[] } {
  const restoreChecks = done.map(({ record, ids }) => {
    const from = record.backupStartedAtMs;
    const missing = ids === null || from === null ? null : history.filter((w) => w.outcome === 'ok' && w.completeMs < from && !ids.has(w.id)).length;
    return { ...record, missing };
  });
  const checks = restoreChecks.map((r, i) => ({
    name: `restore check ${i + 1}`,
    ok: !r.error && r.missing === 0 && r.removed,
    declared: 'restorable: every write acknowledged before the backup started, scratch node removed',
    measured: r.error ? 'failed' : `${r.rows} writes in ${Math.round(r.restoreMs!)} ms`,
    detail: r.error
      ? `backup #${r.backupSeq ?? '?'}: ${r.error}`
      : `backup #${r.backupSeq} (${r.backupBytes} bytes in the store, ${r.copiedBytes} copied) restored into ${r.node} while the primary served: ${r.rows} writes read back, ${r.missing} acknowledged before the backup started missing${r.checksum ? `, CHECKSUM TABLE ${r.checksum}` : ''}; the scratch node ${r.removed ? 'removed' : 'left behind'}`,
  }));
  return { restoreChecks, checks };
}
