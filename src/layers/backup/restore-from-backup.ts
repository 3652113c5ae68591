import { PassThrough } from 'node:stream';
import { execChecked, sh } from '../../engine/docker-exec.js';
import type { Docker } from '../../engine/docker-client.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { RestoreHost } from '../../stacks/stack.js';
import type { RunClock } from '../../util/clock.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { BackupRecord, ChainGap, DisasterRestoreRecord, RestorePhase } from '../result.js';
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
export const INBOX = '/tmp/drill-restore';

export interface RestoreRequest {
  /** Where the replay stops: before an operator's mistake (its GTID), at a time, or null for every archived transaction. */
  stop: { kind: 'before'; name: string; gtid: string } | { kind: 'time'; atMs: number; epochMs: number } | null;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface RestoreDeps {
  docker: Docker;
  clock: RunClock;
  store: RunningContainer;
  host: RestoreHost;
  /** The kept backups that qualify, newest first: the first whose checksum still matches is restored. */
  candidates: BackupRecord[];
  /** Every backup taken (a physical incremental's chain is looked up in it). */
  backups: readonly BackupRecord[];
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

/**
 * A restore's clock: `phase` times one phase, records it and puts it on the timeline; `left` is what remains
 * of the step's timeout (at least 1 s, for the command that reports the failure).
 */
export function restoreTimer(deps: Pick<RestoreDeps, 'clock' | 'mark'>, phases: DisasterRestoreRecord['phases'], startedAtMs: number, timeoutMs: number) {
  const { clock } = deps;
  const phase = async <T>(name: RestorePhase, run: () => Promise<T>, words: (t: T) => string): Promise<T> => {
    const from = clock.nowMs();
    const out = await run();
    const to = clock.nowMs();
    const detail = words(out);
    phases.push({ name, startedAtMs: from, endedAtMs: to, detail });
    deps.mark(name, to, `restore: ${name} ${Math.round(to - from)} ms: ${detail}`);
    return out;
  };
  const left = (): number => Math.max(1000, startedAtMs + timeoutMs - clock.nowMs());
  return { phase, left };
}

/** A MariaDB restore's record before its first phase: the newest candidate as the backup, the target in words. */
export function newRestoreRecord(clock: RunClock, stop: RestoreRequest['stop'], backup: BackupRecord, startedAtMs: number, phases: DisasterRestoreRecord['phases']): DisasterRestoreRecord {
  return {
    startedAtMs,
    endedAtMs: startedAtMs,
    node: null,
    backupSeq: backup.seq,
    backupStartedAtMs: backup.startedAtMs,
    target: stop === null ? 'latest' : stop.kind === 'before' ? `before ${stop.name} (GTID ${stop.gtid})` : `time ${new Date(stop.epochMs).toISOString()} (${Math.round(stop.atMs)} ms)`,
    stopGtid: stop?.kind === 'before' ? gtidBefore(stop.gtid) : null,
    backupGtid: null,
    lastReplayedGtid: null,
    replayedTransactions: 0,
    copiedBytes: 0,
    phases,
    firstGoodWriteAtMs: null,
    restoreTimeMs: null,
    writes: null,
    skipped: [],
    chainGap: null,
    // Binlog timestamps are whole seconds: the replay stops at the start of the second the time falls in.
    stopAtMs: stop?.kind === 'time' ? clock.fromEpochMs(Math.floor(stop.epochMs / 1000) * 1000) : null,
  };
}

/** What a replay of the archive did, in words (the restore-replay phase's detail). */
export function replayWords(r: Awaited<ReturnType<typeof replayArchive>>, from: string, record: DisasterRestoreRecord, stop: RestoreRequest['stop']): string {
  return (
    `${r.count} transactions replayed from the archive after ${from}${record.stopGtid ? `, stopping at ${record.stopGtid}` : ''}${stop?.kind === 'time' ? `, stopping before ${new Date(Math.floor(stop.epochMs / 1000) * 1000).toISOString()}` : ''}${r.last ? ` (last ${r.last})` : ''}` +
    (record.chainGap
      ? `; the archive's chain is broken after ${record.chainGap.lastFile} (missing ${record.chainGap.missing.join(', ')}): stopped there, ${record.chainGap.nextFile} and later not replayed`
      : '') +
    (r.warning ? `; ${r.warning}` : '')
  );
}

export async function restoreFromBackup(deps: RestoreDeps, req: RestoreRequest): Promise<DisasterRestoreRecord> {
  const { docker, clock, store, host } = deps;
  const startedAtMs = clock.nowMs();
  const phases: DisasterRestoreRecord['phases'] = [];
  let backup = deps.candidates[0];
  if (!backup) throw new InfraError('restore: no backup to restore');
  const stop = req.stop;
  const record = newRestoreRecord(clock, stop, backup, startedAtMs, phases);
  const skipped = record.skipped!;
  const { phase, left } = restoreTimer(deps, phases, startedAtMs, req.timeoutMs);
  try {
    const node = await phase(
      'restore-provision',
      () => host.provision({ timeoutMs: left(), signal: req.signal }),
      (n) => `${n.name}, a new container with an empty datadir`,
    );
    record.node = node.node;
    await phase(
      'restore-copy',
      async () => {
        await execChecked(docker, node.id, 'restore inbox', ['mkdir', '-p', INBOX], { timeoutMs: 10_000 });
        let bytes = 0;
        // Newest first: a backup whose bytes no longer hash to what was recorded when it was taken is passed over.
        for (const candidate of deps.candidates) {
          bytes += await copy(docker, store, node, candidate.file!, INBOX);
          const path = `${INBOX}/${candidate.file!.split('/').at(-1)!}`;
          const sum = (await execChecked(docker, node.id, `checksum of backup #${candidate.seq}`, sh('sha256sum "$1" | cut -d" " -f1; stat -c %s "$1"', path), { timeoutMs: left() })).stdout
            .trim()
            .split('\n');
          if (!candidate.sha256 || sum[0] === candidate.sha256) {
            backup = candidate;
            break;
          }
          skipped.push({
            seq: candidate.seq,
            why: `checksum mismatch: SHA-256 ${sum[0]?.slice(0, 12)}… (${sum[1]} bytes) now, ${candidate.sha256.slice(0, 12)}… (${candidate.bytes} bytes) when it was taken`,
          });
          backup = undefined;
        }
        if (!backup) throw new InfraError(`no usable backup: ${skipped.map((k) => `#${k.seq} ${k.why}`).join('; ')}`);
        record.backupSeq = backup.seq;
        record.backupStartedAtMs = backup.startedAtMs;
        if (deps.archiveNode) bytes += await copy(docker, store, node, `${ARCHIVE_DIR}/${deps.archiveNode}`, INBOX);
        record.copiedBytes = bytes;
        return bytes;
      },
      (bytes) =>
        `${skipped.map((k) => `backup #${k.seq} skipped (${k.why}); `).join('')}backup #${backup!.seq} (checksum verified)${deps.archiveNode ? ` and the binlog archive of ${deps.archiveNode}` : ''}: ${bytes} bytes (tar) from the store to ${node.node}`,
    );
    const chosen = backup;
    const gtid = await phase(
      'restore-load',
      async () => {
        const out = await execChecked(
          docker,
          node.id,
          `loading backup #${chosen.seq}`,
          sh(`${CLIENT} < "$1" && sed -n "s/^-- SET GLOBAL gtid_slave_pos='\\(.*\\)';$/\\1/p" "$1" | tail -1`, `${INBOX}/${chosen.file!.split('/').at(-1)!}`),
          { timeoutMs: left() },
        );
        return out.stdout.trim() || null;
      },
      (g) => `backup #${chosen.seq} loaded${g ? ` (it holds GTIDs up to ${g})` : ''}`,
    );
    record.backupGtid = gtid;
    if (deps.archiveNode) {
      if (!gtid) throw new InfraError(`backup #${chosen.seq} carries no GTID position (taken without binlog archiving?): nothing says where to start replaying`);
      const replay = await phase(
        'restore-replay',
        () => replayArchive(docker, clock, node, deps.archiveNode!, gtid, record, left()),
        (r) => replayWords(r, gtid, record, stop),
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

/** The archived binlog files in order, each with the highest sequence number of its Gtid list (the state at its start) in `domain`. */
function parseArchiveListing(stdout: string, domain: string): { file: string; index: number; startSeq: number }[] {
  return stdout
    .split('\n')
    .map((l) => /^(\S+\.(\d+)) ?(?:Gtid list \[([^\]]*)\])?/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      file: m[1]!,
      index: Number(m[2]),
      startSeq: Math.max(
        0,
        ...(m[3] ?? '')
          .split(',')
          .map((g) => g.trim().split('-'))
          .filter((p) => p.length === 3 && p[0] === domain)
          .map((p) => Number(p[2])),
      ),
    }))
    .sort((a, b) => a.index - b.index);
}

/**
 * The contiguous run of archived files to replay from a backup at `gtid`: the files are numbered, and a
 * missing number is a gap in the chain. The run is the last one whose first file starts at or before the
 * backup's position; a later run exists only beyond a gap, which is recorded (the replay stops before it).
 */
export function replayFiles(listing: { file: string; index: number; startSeq: number }[], gtid: string): { files: string[]; gap: Omit<ChainGap, 'lastEventAtMs'> | null } {
  const seq = Number(gtid.split(',')[0]!.split('-')[2]);
  const runs: (typeof listing)[] = [];
  for (const f of listing) {
    const last = runs.at(-1);
    if (last && f.index === last.at(-1)!.index + 1) last.push(f);
    else runs.push([f]);
  }
  let i = 0;
  runs.forEach((r, k) => {
    if (r[0]!.startSeq <= seq) i = k;
  });
  const run = runs[i] ?? [];
  const next = runs[i + 1];
  const lastFile = run.at(-1);
  const gap =
    next && lastFile
      ? {
          missing: Array.from({ length: next[0]!.index - lastFile.index - 1 }, (_, k) => lastFile.file.replace(/\d+$/, (d) => String(lastFile.index + k + 1).padStart(d.length, '0'))),
          lastFile: lastFile.file,
          nextFile: next[0]!.file,
        }
      : null;
  return { files: run.map((f) => f.file), gap };
}

/** Replay the archive from the backup's GTID up to the target, stopping at a gap in the chain. */
export async function replayArchive(
  docker: Docker,
  clock: RunClock,
  node: RunningContainer,
  archiveNode: string,
  gtid: string,
  record: DisasterRestoreRecord,
  timeoutMs: number,
): Promise<{ count: number; last: string | null; warning: string }> {
  const dir = `${INBOX}/${archiveNode}`;
  const listing = await execChecked(
    docker,
    node.id,
    'listing the binlog archive',
    sh(`cd "$1" && for f in $(ls | grep -E '\\.[0-9]+$' | sort); do echo "$f $(mariadb-binlog --no-defaults "$f" 2>/dev/null | grep -m1 -o 'Gtid list \\[[^]]*\\]')"; done`, dir),
    { timeoutMs },
  );
  const { files, gap } = replayFiles(parseArchiveListing(listing.stdout, gtid.split('-')[0]!), gtid);
  if (files.length === 0) throw new InfraError('the binlog archive holds no file to replay');
  const stops = [record.stopGtid ? `--stop-position=${record.stopGtid}` : '', record.stopAtMs != null ? '--stop-datetime="$D"' : ''].filter(Boolean).join(' ');
  const stopDatetime = record.stopAtMs != null ? new Date(Math.round(clock.toEpochMs(record.stopAtMs) / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ') : '';
  const script = [
    'cd "$1"; shift 2',
    // A file cut mid-event (the primary destroyed while it streamed) ends the decode early: what came before is kept, and the error said.
    `mariadb-binlog --no-defaults --start-position="$G" ${stops} "$@" > ${INBOX}/replay.sql 2> ${INBOX}/replay.err || echo "decode: $(tail -1 ${INBOX}/replay.err)" >&2`,
    `${CLIENT} < ${INBOX}/replay.sql`,
    `echo "$(grep -c '^#.*GTID [0-9]*-[0-9]*-[0-9]*' ${INBOX}/replay.sql) $(grep -o 'GTID [0-9]*-[0-9]*-[0-9]*' ${INBOX}/replay.sql | tail -1 | cut -d' ' -f2) $(grep -o '^#[0-9]\\{6\\} [0-9:]*' ${INBOX}/replay.sql | tail -1 | tr -d '#' | tr ' ' '_')"`,
  ].join('\n');
  // TZ=UTC: mariadb-binlog reads --stop-datetime and prints event times in its own time zone.
  const out = await execChecked(docker, node.id, 'replaying the binlog archive', ['sh', '-c', script, 'sh', dir, '-', ...files], {
    timeoutMs,
    env: { TZ: 'UTC', G: gtid, D: stopDatetime },
  });
  const [count, last, when] = out.stdout.trim().split('\n').at(-1)!.split(' ');
  if (gap) record.chainGap = { ...gap, lastEventAtMs: when ? clock.fromEpochMs(binlogTimeToEpochMs(when)) : null };
  return { count: Number(count) || 0, last: last || null, warning: out.stderr.trim() };
}

/** mariadb-binlog's event time "YYMMDD_HH:MM:SS" (UTC here) as epoch ms. */
function binlogTimeToEpochMs(t: string): number {
  const m = /^(\d\d)(\d\d)(\d\d)_(\d+):(\d\d):(\d\d)$/.exec(t);
  if (!m) return NaN;
  return Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Copy a file or folder from one container to another through the engine (a tar stream); the bytes moved. */
export async function copy(docker: Docker, from: RunningContainer, to: RunningContainer, path: string, into: string): Promise<number> {
  const tar = await docker.getContainer(from.id).getArchive({ path });
  let bytes = 0;
  const counted = new PassThrough();
  counted.on('data', (chunk: Buffer) => (bytes += chunk.length));
  tar.pipe(counted);
  await docker.getContainer(to.id).putArchive(counted, { path: into });
  return bytes;
}
