import { execChecked, sh } from '../../engine/docker-exec.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { BackupRecord, DisasterRestoreRecord } from '../result.js';
import { ARCHIVE_DIR } from './binlog-archive.js';
import { chainOf, MOVE_BACK_SCRIPT, PREPARE_SCRIPT } from './physical.js';
import { INBOX, copy, newRestoreRecord, replayArchive, replayWords, restoreTimer, type RestoreDeps, type RestoreRequest } from './restore-from-backup.js';

// A restore from physical backups onto a fresh node (docs/backup-restore.md):
//   provision  a new container whose server is held back (its datadir is about to be replaced);
//   copy       the newest usable chain (full + incrementals) and the binlog archive from the store,
//              through the engine; a backup whose file, or whose base's file, no longer hashes as when
//              taken is passed over for the one before it;
//   prepare    mariadb-backup --prepare on the full one, then --prepare --incremental-dir for each
//              incremental in order (LSNs checked to chain);
//   start      the datadir emptied, the prepared files moved in (--move-back), the server started;
//   replay     the archived binlogs from the backup's GTID to the target (as after a dump);
//   repoint    the new node becomes the primary and the app follows it.

const DATADIR = '/var/lib/mysql';

export async function restorePhysical(deps: RestoreDeps, req: RestoreRequest): Promise<DisasterRestoreRecord> {
  const { docker, clock, store, host } = deps;
  if (!host.provisionHeld || !host.start) throw new InfraError('restore: this stack cannot provision a node with its server held back, which a physical restore needs');
  const startedAtMs = clock.nowMs();
  const phases: DisasterRestoreRecord['phases'] = [];
  let backup: BackupRecord | undefined = deps.candidates[0];
  if (!backup) throw new InfraError('restore: no backup to restore');
  const stop = req.stop;
  const record = newRestoreRecord(clock, stop, backup, startedAtMs, phases);
  const skipped = record.skipped!;
  const { phase, left } = restoreTimer(deps, phases, startedAtMs, req.timeoutMs);
  const inbox = (b: BackupRecord) => `${INBOX}/${b.file!.split('/').at(-1)!}`;
  try {
    const node = await phase(
      'restore-provision',
      () => host.provisionHeld!({ timeoutMs: left(), signal: req.signal }),
      (n) => `${n.name}, a new container, its server held until its datadir is restored`,
    );
    record.node = node.node;
    let chain: BackupRecord[] = [];
    await phase(
      'restore-copy',
      async () => {
        await execChecked(docker, node.id, 'restore inbox', ['mkdir', '-p', INBOX], { timeoutMs: 10_000 });
        let bytes = 0;
        const verdict = new Map<number, string | null>(); // seq → null (verified) or why it is unusable
        const verify = async (b: BackupRecord): Promise<string | null> => {
          const known = verdict.get(b.seq);
          if (known !== undefined) return known;
          let why: string | null = null;
          if (!b.file || b.deletedAtMs !== undefined) why = 'deleted by retention';
          else {
            bytes += await copy(docker, store, node, b.file, INBOX);
            const sum = (await execChecked(docker, node.id, `checksum of backup #${b.seq}`, sh('sha256sum "$1" | cut -d" " -f1; stat -c %s "$1"', inbox(b)), { timeoutMs: left() })).stdout
              .trim()
              .split('\n');
            if (b.sha256 && sum[0] !== b.sha256) why = `checksum mismatch: SHA-256 ${sum[0]?.slice(0, 12)}… (${sum[1]} bytes) now, ${b.sha256.slice(0, 12)}… (${b.bytes} bytes) when it was taken`;
          }
          verdict.set(b.seq, why);
          return why;
        };
        // Newest first; a chain is checked from its full one up, so a bad base is found once for every incremental on it.
        backup = undefined;
        for (const candidate of deps.candidates) {
          const links = chainOf(candidate, deps.backups);
          if (!links) {
            skipped.push({ seq: candidate.seq, why: 'its chain back to a full backup is incomplete' });
            continue;
          }
          let why: string | null = null;
          for (const link of links) {
            const bad = await verify(link);
            if (bad) {
              why = link === candidate ? bad : `its base #${link.seq} is unusable (${bad})`;
              break;
            }
          }
          if (why === null) {
            backup = candidate;
            chain = links;
            break;
          }
          skipped.push({ seq: candidate.seq, why });
        }
        if (!backup) throw new InfraError(`no usable backup: ${skipped.map((k) => `#${k.seq} ${k.why}`).join('; ')}`);
        record.backupSeq = backup.seq;
        record.backupStartedAtMs = backup.startedAtMs;
        record.chain = chain.map((b) => ({ seq: b.seq, type: b.physical!.type, fromLsn: b.physical!.fromLsn, toLsn: b.physical!.toLsn, bytes: b.bytes }));
        if (deps.archiveNode) bytes += await copy(docker, store, node, `${ARCHIVE_DIR}/${deps.archiveNode}`, INBOX);
        record.copiedBytes = bytes;
        return bytes;
      },
      (bytes) =>
        `${skipped.map((k) => `backup #${k.seq} skipped (${k.why}); `).join('')}${chainWords(chain)} (checksums verified)${deps.archiveNode ? ` and the binlog archive of ${deps.archiveNode}` : ''}: ${bytes} bytes (tar) from the store to ${node.node}`,
    );
    const work = `${INBOX}/prepare`;
    const gtid = await phase(
      'restore-prepare',
      async () => {
        const out = await execChecked(docker, node.id, `preparing backup #${backup!.seq}`, ['sh', '-c', PREPARE_SCRIPT, 'sh', ...chain.map(inbox)], { timeoutMs: left(), env: { W: work } });
        const [lsn, g] = out.stdout.trim().split('\n').at(-1)!.split(' ');
        return { lsn, gtid: g || null };
      },
      (p) => `mariadb-backup --prepare of ${chainWords(chain)}: consistent at LSN ${p.lsn}${p.gtid ? `, GTID ${p.gtid}` : ''}`,
    );
    record.backupGtid = gtid.gtid;
    await phase(
      'restore-start',
      async () => {
        const out = await execChecked(docker, node.id, 'moving the prepared backup into the datadir', ['sh', '-c', MOVE_BACK_SCRIPT], { timeoutMs: left(), env: { W: work, D: DATADIR } });
        await host.start!(node, { timeoutMs: left(), signal: req.signal });
        return Number(out.stdout.trim().split('\n').at(-1));
      },
      (bytes) => `${DATADIR} emptied, the prepared files moved in (--move-back, ${bytes} bytes), the server started on them and answers`,
    );
    if (deps.archiveNode) {
      if (!gtid.gtid) throw new InfraError(`backup #${backup.seq} carries no GTID position: nothing says where to start replaying`);
      const from = gtid.gtid;
      const replay = await phase(
        'restore-replay',
        () => replayArchive(docker, clock, node, deps.archiveNode!, from, record, left()),
        (r) => replayWords(r, from, record, stop),
      );
      record.replayedTransactions = replay.count;
      record.lastReplayedGtid = replay.last;
    }
    await phase(
      'restore-repoint',
      () => host.adopt(node, { timeoutMs: left(), signal: req.signal }),
      (d) => d,
    );
  } catch (error) {
    record.error = errorMessage(error);
    record.endedAtMs = clock.nowMs();
    throw Object.assign(new InfraError(`restore from backup #${record.backupSeq}: ${record.error}`), { record });
  }
  record.endedAtMs = clock.nowMs();
  return record;
}

function chainWords(chain: readonly BackupRecord[]): string {
  const [full, ...incs] = chain;
  if (!full) return 'no backup';
  return `full backup #${full.seq}${incs.length ? ` + incremental${incs.length > 1 ? 's' : ''} ${incs.map((b) => `#${b.seq}`).join(', ')}` : ''}`;
}
