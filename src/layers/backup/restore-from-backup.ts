import { PassThrough } from 'node:stream';
import { execChecked, sh } from '../../engine/docker-exec.js';
import type { Docker } from '../../engine/docker-client.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { RestoreHost } from '../../stacks/stack.js';
import type { RunClock } from '../../util/clock.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { BackupRecord, DisasterRestoreRecord, RestorePhase } from '../result.js';
import { ARCHIVE_DIR } from './binlog-archive.js';

// A restore after a disaster, onto a fresh node (docs/backup-restore.md): the data really moves.
//   provision  a new container with an empty datadir (RestoreHost of the stack);
//   copy       the backup file and the archived binlogs, from the store on its own site to the new node,
//              through the engine (tar streams);
//   load       the dump, into the new node, with its own client;
//   replay     the archived binlogs (mariadb-binlog) from the dump's GTID up to the target: every
//              archived transaction, or the last one before an operator's mistake (its GTID − 1);
//   repoint    the new node becomes the primary and the app follows it.
// Load and replay run without writing the new node's binlog: its own history starts with the app's writes.

const CLIENT = "mariadb --no-defaults -S /run/mysqld/mysqld.sock -u root --init-command='SET SESSION sql_log_bin = 0'";
const INBOX = '/tmp/drill-restore';

export interface RestoreRequest {
  /** The GTID to stop before (an operator's mistake), or null for every archived transaction. */
  stopBefore: { name: string; gtid: string } | null;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface RestoreDeps {
  docker: Docker;
  clock: RunClock;
  store: RunningContainer;
  host: RestoreHost;
  backup: BackupRecord;
  /** The archive's folder in the store (its node), or null without binlog archiving. */
  archiveNode: string | null;
  mark(marker: RestorePhase, atMs: number, message: string): void;
}

/** The GTID before `gtid` in its domain and server: the last transaction a restore to "before it" replays. */
export function gtidBefore(gtid: string): string {
  const m = /^(\d+)-(\d+)-(\d+)$/.exec(gtid);
  if (!m || Number(m[3]) < 1) throw new InfraError(`not a MariaDB GTID: ${JSON.stringify(gtid)}`);
  return `${m[1]}-${m[2]}-${Number(m[3]) - 1}`;
}

export async function restoreFromBackup(deps: RestoreDeps, req: RestoreRequest): Promise<DisasterRestoreRecord> {
  const { docker, clock, store, host, backup } = deps;
  const startedAtMs = clock.nowMs();
  const phases: DisasterRestoreRecord['phases'] = [];
  const record: DisasterRestoreRecord = {
    startedAtMs,
    endedAtMs: startedAtMs,
    node: null,
    backupSeq: backup.seq,
    backupStartedAtMs: backup.startedAtMs,
    target: req.stopBefore ? `before ${req.stopBefore.name} (GTID ${req.stopBefore.gtid})` : 'latest',
    stopGtid: req.stopBefore ? gtidBefore(req.stopBefore.gtid) : null,
    backupGtid: null,
    lastReplayedGtid: null,
    replayedTransactions: 0,
    copiedBytes: 0,
    phases,
    firstGoodWriteAtMs: null,
    restoreTimeMs: null,
    writes: null,
  };
  const phase = async <T>(name: RestorePhase, run: () => Promise<T>, words: (t: T) => string): Promise<T> => {
    const from = clock.nowMs();
    const out = await run();
    const to = clock.nowMs();
    const detail = words(out);
    phases.push({ name, startedAtMs: from, endedAtMs: to, detail });
    deps.mark(name, to, `restore: ${name} ${Math.round(to - from)} ms: ${detail}`);
    return out;
  };
  const left = () => Math.max(1000, startedAtMs + req.timeoutMs - clock.nowMs());
  try {
    const node = await phase(
      'restore-provision',
      () => host.provision({ timeoutMs: left(), signal: req.signal }),
      (n) => `${n.name}, a new container with an empty datadir`,
    );
    record.node = node.node;
    const file = backup.file!;
    const base = file.split('/').at(-1)!;
    await phase(
      'restore-copy',
      async () => {
        await execChecked(docker, node.id, 'restore inbox', ['mkdir', '-p', INBOX], { timeoutMs: 10_000 });
        let bytes = await copy(docker, store, node, file, INBOX);
        if (deps.archiveNode) bytes += await copy(docker, store, node, `${ARCHIVE_DIR}/${deps.archiveNode}`, INBOX);
        record.copiedBytes = bytes;
        return bytes;
      },
      (bytes) => `backup #${backup.seq}${deps.archiveNode ? ` and the binlog archive of ${deps.archiveNode}` : ''}: ${bytes} bytes (tar) from the store to ${node.node}`,
    );
    const gtid = await phase(
      'restore-load',
      async () => {
        const out = await execChecked(
          docker,
          node.id,
          `loading backup #${backup.seq}`,
          sh(`${CLIENT} < "$1" && sed -n "s/^-- SET GLOBAL gtid_slave_pos='\\(.*\\)';$/\\1/p" "$1" | tail -1`, `${INBOX}/${base}`),
          { timeoutMs: left() },
        );
        return out.stdout.trim() || null;
      },
      (g) => `backup #${backup.seq} loaded${g ? ` (it holds GTIDs up to ${g})` : ''}`,
    );
    record.backupGtid = gtid;
    if (deps.archiveNode) {
      if (!gtid) throw new InfraError(`backup #${backup.seq} carries no GTID position (taken without binlog archiving?): nothing says where to start replaying`);
      const replay = await phase(
        'restore-replay',
        async () => {
          const stop = record.stopGtid ? ` --stop-position=${record.stopGtid}` : '';
          const script = [
            `cd ${INBOX}/${deps.archiveNode}`,
            // A file cut mid-event (the primary destroyed while it streamed) ends the decode early: what came before is kept, and the error said.
            `mariadb-binlog --no-defaults --start-position="$1"${stop} $(ls | grep -v '\\.err$' | sort) > ${INBOX}/replay.sql 2> ${INBOX}/replay.err || echo "decode: $(tail -1 ${INBOX}/replay.err)" >&2`,
            `${CLIENT} < ${INBOX}/replay.sql`,
            `echo "$(grep -c '^#.*GTID [0-9]*-[0-9]*-[0-9]*' ${INBOX}/replay.sql) $(grep -o 'GTID [0-9]*-[0-9]*-[0-9]*' ${INBOX}/replay.sql | tail -1 | cut -d' ' -f2)"`,
          ].join('\n');
          const out = await execChecked(docker, node.id, 'replaying the binlog archive', sh(script, gtid), { timeoutMs: left() });
          const [count, last] = out.stdout.trim().split('\n').at(-1)!.split(' ');
          return { count: Number(count) || 0, last: last || null, warning: out.stderr.trim() };
        },
        (r) =>
          `${r.count} transactions replayed from the archive after ${gtid}${record.stopGtid ? `, stopping at ${record.stopGtid}` : ''}${r.last ? ` (last ${r.last})` : ''}${r.warning ? `; ${r.warning}` : ''}`,
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
    throw Object.assign(new InfraError(`restore from backup #${backup.seq}: ${record.error}`), { record });
  }
  record.endedAtMs = clock.nowMs();
  return record;
}

/** Copy a file or folder from one container to another through the engine (a tar stream); the bytes moved. */
async function copy(docker: Docker, from: RunningContainer, to: RunningContainer, path: string, into: string): Promise<number> {
  const tar = await docker.getContainer(from.id).getArchive({ path });
  let bytes = 0;
  const counted = new PassThrough();
  counted.on('data', (chunk: Buffer) => (bytes += chunk.length));
  tar.pipe(counted);
  await docker.getContainer(to.id).putArchive(counted, { path: into });
  return bytes;
}
