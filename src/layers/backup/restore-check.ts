import { performance } from 'node:perf_hooks';
import { execChecked, sh } from '../../engine/docker-exec.js';
import type { Docker } from '../../engine/docker-client.js';
import { startContainer, type RunningContainer } from '../../engine/resources.js';
import type { StackContext } from '../../stacks/plugin.js';
import type { RunClock } from '../../util/clock.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { WriteRecord } from '../../load/history.js';
import type { BackupMethod, BackupRecord, LayerCheck, RestoreCheckRecord } from '../result.js';
import { readIdsScript, restoreScript, stopScratchScript } from './methods.js';
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
  method: BackupMethod;
  /** Kept backups, newest first. */
  candidates: BackupRecord[];
  /** The files a backup needs to be restored, oldest first: itself, or a physical incremental's chain from its full backup (empty: broken). */
  chain: (backup: BackupRecord) => BackupRecord[];
  seq: number;
}

const inboxPath = (b: BackupRecord): string => `${INBOX}/${b.file!.split('/').at(-1)!}`;

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
    let files: string[] = [];
    // Each backup's file copied once and checked against the checksum taken with it; a backup whose own
    // file or any file of its chain (a physical incremental's bases) changed is skipped.
    const checked = new Map<number, string | null>();
    const damage = async (b: BackupRecord): Promise<string | null> => {
      if (!checked.has(b.seq)) {
        record.copiedBytes += await copy(docker, deps.store, node, b.file!, INBOX);
        const sum = (await execChecked(docker, node.id, `checksum of backup #${b.seq}`, sh('sha256sum "$1" | cut -d" " -f1', inboxPath(b)), { timeoutMs })).stdout.trim();
        checked.set(b.seq, !b.sha256 || sum === b.sha256 ? null : `checksum mismatch: SHA-256 ${sum.slice(0, 12)}… now, ${b.sha256.slice(0, 12)}… when it was taken`);
      }
      return checked.get(b.seq)!;
    };
    for (const candidate of deps.candidates) {
      const chain = deps.chain(candidate);
      let why: string | null = chain.length === 0 ? 'its chain back to a full backup is incomplete' : null;
      for (const b of [...chain].reverse()) {
        const bad = b.file ? await damage(b) : 'its file is gone from the store';
        if (bad) {
          why = b.seq === candidate.seq ? bad : `its base #${b.seq} is unusable (${bad})`;
          break;
        }
      }
      if (!why) {
        chosen = candidate;
        files = chain.map(inboxPath);
        break;
      }
      record.skipped.push({ seq: candidate.seq, why });
    }
    if (!chosen) throw new InfraError(deps.candidates.length ? `no usable backup: ${record.skipped.map((k) => `#${k.seq} ${k.why}`).join('; ')}` : 'the store holds no backup yet');
    record.backupSeq = chosen.seq;
    record.backupStartedAtMs = chosen.startedAtMs;
    record.backupBytes = chosen.bytes;
    await execChecked(docker, node.id, `restore check of backup #${chosen.seq}`, sh(restoreScript(deps.method), ...files), { timeoutMs });
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
    if (deps.method === 'dump' || deps.method === 'physical') {
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
