import { execChecked, sh } from '../../engine/docker-exec.js';
import type { Docker } from '../../engine/docker-client.js';
import type { RunningContainer } from '../../engine/resources.js';
import { RESTORE_READY_FILE, WRITES_KEY } from '../../stacks/redis/client.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { AofCut, DisasterRestoreRecord } from '../result.js';
import { findMistake, scanAof } from './aof-scan.js';
import { copy, restoreTimer, type RestoreDeps } from './restore-from-backup.js';

// Redis AOF backups and their restore (docs/backup-restore.md). Redis 7 keeps its append-only file as a
// folder (appendonlydir: a base file, the incr files appended since, and a manifest naming them). A backup
// copies that folder from the primary's container into the store through the engine (a tar stream, like
// an agent reading the disk) and keeps it there as one tar file. A restore before an operator's mistake is
// the classic Redis recovery: cut the AOF where the mistake's command begins, drop what follows, load it.

/** Where drill's Redis keeps its data (the image's WORKDIR; redis-server's default dir). */
export const AOF_DIR = '/data/appendonlydir';
const INBOX = '/tmp/drill-restore';

/** Copy the primary's AOF folder into the store as tar file `file`; its size and SHA-256. */
export async function takeAofBackup(docker: Docker, primary: RunningContainer, store: RunningContainer, file: string, timeoutMs: number): Promise<{ bytes: number; sha256: string }> {
  const staging = `${file}.in`;
  await execChecked(docker, store.id, 'AOF backup staging', ['mkdir', '-p', staging], { timeoutMs: 10_000 });
  await copy(docker, primary, store, AOF_DIR, staging).catch((error: unknown) => {
    throw new InfraError(`copying ${AOF_DIR} of ${primary.name}: ${errorMessage(error)}`);
  });
  const out = await execChecked(
    docker,
    store.id,
    'AOF backup',
    sh('tar -cf "$2.part" -C "$1" appendonlydir && rm -rf "$1" && mv "$2.part" "$2" && echo "$(stat -c %s "$2") $(sha256sum "$2" | cut -d\' \' -f1)"', staging, file),
    { timeoutMs },
  );
  const [size, sha256] = out.stdout.trim().split('\n').at(-1)!.split(' ');
  return { bytes: Number(size), sha256: sha256 ?? '' };
}

/**
 * Restore from the newest usable AOF backup onto a fresh node, cut before `mistake` (the statement as the
 * operator typed it; null: latest), and make it the primary the app uses.
 */
export async function restoreAof(
  deps: RestoreDeps,
  req: { mistake: { name: string; statement: string } | null; password: string | undefined; timeoutMs: number; signal: AbortSignal },
): Promise<DisasterRestoreRecord> {
  const { docker, clock, store, host } = deps;
  const startedAtMs = clock.nowMs();
  let backup = deps.candidates[0];
  if (!backup) throw new InfraError('restore: no backup to restore');
  const record: DisasterRestoreRecord = {
    startedAtMs,
    endedAtMs: startedAtMs,
    node: null,
    backupSeq: backup.seq,
    backupStartedAtMs: backup.startedAtMs,
    target: req.mistake ? `before ${req.mistake.name} (${req.mistake.statement} cut from the AOF)` : 'latest',
    stopGtid: null,
    backupGtid: null,
    lastReplayedGtid: null,
    replayedTransactions: 0,
    copiedBytes: 0,
    phases: [],
    firstGoodWriteAtMs: null,
    restoreTimeMs: null,
    writes: null,
    skipped: [],
    aofCut: null,
  };
  const skipped = record.skipped!;
  const { phase, left } = restoreTimer(deps, record.phases, startedAtMs, req.timeoutMs);
  try {
    const node = await phase(
      'restore-provision',
      () => host.provision({ timeoutMs: left(), signal: req.signal }),
      (n) => `${n.name}, a new container with an empty /data`,
    );
    record.node = node.node;
    await phase(
      'restore-copy',
      async () => {
        await execChecked(docker, node.id, 'restore inbox', ['mkdir', '-p', INBOX], { timeoutMs: 10_000 });
        let bytes = 0;
        for (const candidate of deps.candidates) {
          bytes += await copy(docker, store, node, candidate.file!, INBOX);
          const path = `${INBOX}/${candidate.file!.split('/').at(-1)!}`;
          const sum = (await execChecked(docker, node.id, `checksum of backup #${candidate.seq}`, sh('sha256sum "$1" | cut -d" " -f1', path), { timeoutMs: left() })).stdout.trim();
          if (!candidate.sha256 || sum === candidate.sha256) {
            backup = candidate;
            break;
          }
          skipped.push({ seq: candidate.seq, why: `checksum mismatch: SHA-256 ${sum.slice(0, 12)}… now, ${candidate.sha256.slice(0, 12)}… when it was taken` });
          backup = undefined;
        }
        if (!backup) throw new InfraError(`no usable backup: ${skipped.map((k) => `#${k.seq} ${k.why}`).join('; ')}`);
        record.backupSeq = backup.seq;
        record.backupStartedAtMs = backup.startedAtMs;
        record.copiedBytes = bytes;
        return bytes;
      },
      (bytes) => `${skipped.map((k) => `backup #${k.seq} skipped (${k.why}); `).join('')}AOF backup #${backup!.seq} (checksum verified): ${bytes} bytes (tar) from the store to ${node.node}`,
    );
    const chosen = backup;
    await phase(
      'restore-load',
      async () => {
        const file = `${INBOX}/${chosen.file!.split('/').at(-1)!}`;
        await execChecked(docker, node.id, `unpacking AOF backup #${chosen.seq}`, sh('tar -xf "$1" -C /data', file), { timeoutMs: left() });
        const cut = req.mistake ? await cutBefore(docker, node, req.mistake.statement, left()) : null;
        record.aofCut = cut;
        // The server (waiting for this file since it was provisioned) starts on the cut AOF; PING answers LOADING until it is in memory.
        const out = await execChecked(
          docker,
          node.id,
          'starting the restored server',
          sh(
            `chown -R redis:redis /data 2>/dev/null; touch "$1"; i=0; until redis-cli ping 2>/dev/null | grep -q PONG; do i=$((i+1)); [ $i -gt 1200 ] && { echo 'the restored server never answered PONG' >&2; exit 1; }; sleep 0.05; done; redis-cli scard ${WRITES_KEY}`,
            RESTORE_READY_FILE,
          ),
          { timeoutMs: left(), ...(req.password ? { env: { REDISCLI_AUTH: req.password } } : {}) },
        );
        return { cut, members: Number(out.stdout.trim().split('\n').at(-1)) };
      },
      ({ cut, members }) =>
        `${
          cut === null
            ? 'AOF loaded whole'
            : cut.offset === null
              ? `the mistake is not in AOF backup #${chosen.seq} (taken before it): loaded whole`
              : `AOF cut at byte ${cut.offset} of ${cut.file} where "${cut.command}" begins (${cut.bytesDropped} bytes after it dropped, ${cut.commandsKept} commands kept)`
        }; ${members} write ids in ${WRITES_KEY} on the restored node`,
    );
    await phase(
      'restore-repoint',
      () => host.adopt(node, { timeoutMs: left(), signal: req.signal }),
      (d) => d,
    );
  } catch (error) {
    record.error = errorMessage(error);
    record.endedAtMs = clock.nowMs();
    throw Object.assign(new InfraError(`restore from AOF backup #${record.backupSeq}: ${record.error}`), { record });
  }
  record.endedAtMs = clock.nowMs();
  return record;
}

/**
 * Find the mistake in the incr files (in the manifest's order), truncate that file where its command
 * begins, and drop any later incr file from the manifest: everything from the mistake on is gone.
 */
async function cutBefore(docker: Docker, node: RunningContainer, statement: string, timeoutMs: number): Promise<AofCut> {
  const dir = '/data/appendonlydir';
  const manifest = (await execChecked(docker, node.id, 'reading the AOF manifest', sh('cat "$1"/*.manifest', dir), { timeoutMs })).stdout;
  const incr = manifest
    .split('\n')
    .map((l) => /^file (\S+) seq \d+ type i$/.exec(l.trim())?.[1])
    .filter((f): f is string => f !== undefined);
  let kept = 0;
  for (const [i, name] of incr.entries()) {
    // base64: the offsets are bytes, whatever the values hold.
    const b64 = (await execChecked(docker, node.id, `reading ${name}`, sh('base64 -w0 "$1"', `${dir}/${name}`), { timeoutMs })).stdout;
    const buf = Buffer.from(b64.trim(), 'base64');
    const { commands } = scanAof(buf);
    const hit = findMistake(commands, statement);
    if (!hit) {
      kept += commands.length;
      continue;
    }
    kept += commands.indexOf(hit);
    const later = incr.slice(i + 1);
    let dropped = buf.length - hit.offset;
    if (later.length) {
      const sizes = (await execChecked(docker, node.id, 'sizes of later incr files', sh('cd "$1" && shift && stat -c %s "$@"', dir, ...later), { timeoutMs })).stdout;
      dropped += sizes
        .split('\n')
        .filter(Boolean)
        .reduce((a, s) => a + Number(s), 0);
    }
    // The manifest without the later incr files; the cut file truncated at the mistake.
    const script = ['cd "$1"', 'truncate -s "$2" "$3"', 'm=$(ls *.manifest)', 'shift 3', 'for f in "$@"; do grep -v "^file $f " "$m" > "$m.new" && mv "$m.new" "$m" && rm -f "$f"; done'].join('\n');
    await execChecked(docker, node.id, `cutting ${name} at byte ${hit.offset}`, sh(script, dir, String(hit.offset), name, ...later), { timeoutMs });
    return { file: name, offset: hit.offset, command: hit.args.join(' '), bytesDropped: dropped, commandsKept: kept };
  }
  return { file: null, offset: null, command: null, bytesDropped: 0, commandsKept: kept };
}
