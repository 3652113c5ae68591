import { execChecked, sh } from '../../engine/docker-exec.js';
import type { Docker } from '../../engine/docker-client.js';
import type { RunningContainer } from '../../engine/resources.js';
import { InfraError } from '../../util/errors.js';
import type { BackupRecord, PhysicalBackupInfo } from '../result.js';

// Physical backups of MariaDB with mariadb-backup (docs/backup-restore.md). It must run beside the
// datadir, so it runs inside the primary's container (drill's image carries it) as root over the
// server's socket, and streams (mbstream) over the stack's network to the store on the second site,
// which listens with nc and writes the file: the bytes never rest on the data node's disk.
//   full         every file of the datadir plus the redo written while it copied;
//   incremental  only the pages changed since an LSN: --incremental-lsn = the to_lsn of the backup
//                before it in the chain (recorded from its xtrabackup_checkpoints, kept aside with
//                --extra-lsndir), so the store needs no copy of the base for the next backup.
// After `incrementals` incrementals the next backup is a full one again; a new primary (LSNs are a
// server's own) or a missing/failed link also starts a new chain.

/** The port the store listens on for one backup's stream, on the stack's network. */
const STREAM_PORT = 4444;
const WORK = '/tmp/drill-backup';

/** What a backup of the node should be: a full one, or an incremental on `base`. */
export function nextPhysical(backups: readonly BackupRecord[], node: string, incrementals: number): { type: 'full' } | { type: 'incremental'; base: BackupRecord } {
  const prev = backups.at(-1);
  if (!prev?.ok || !prev.physical || prev.node !== node || prev.deletedAtMs !== undefined) return { type: 'full' };
  const chain = chainOf(prev, backups);
  if (!chain || chain.length > incrementals) return { type: 'full' };
  return { type: 'incremental', base: prev };
}

/** The backups a physical one needs, its full one first, itself last; null when a link is missing. */
export function chainOf(b: BackupRecord, backups: readonly BackupRecord[]): BackupRecord[] | null {
  const chain = [b];
  let cur = b;
  while (cur.physical?.type === 'incremental') {
    const base = backups.find((x) => x.seq === cur.physical!.baseSeq);
    if (!base?.ok || !base.physical) return null;
    chain.unshift(base);
    cur = base;
  }
  return cur.physical?.type === 'full' || !cur.physical ? chain : null;
}

/** Retention for chains: whatever a kept incremental builds on is kept too, back to its full one. */
export function withBases(kept: readonly BackupRecord[], backups: readonly BackupRecord[]): Set<BackupRecord> {
  const out = new Set<BackupRecord>();
  for (const b of kept) for (const x of chainOf(b, backups) ?? [b]) out.add(x);
  return out;
}

/** xtrabackup_checkpoints ("from_lsn = 0" …) and xtrabackup_info's binlog_pos line, as recorded. */
export function parsePhysicalInfo(text: string, type: 'full' | 'incremental', baseSeq: number | null): PhysicalBackupInfo {
  const lsn = (key: string) => {
    const m = new RegExp(`^${key} = (\\d+)$`, 'm').exec(text);
    if (!m) throw new InfraError(`mariadb-backup recorded no ${key} (xtrabackup_checkpoints)`);
    return Number(m[1]);
  };
  const pos = /^binlog_pos = filename '([^']*)', position '(\d+)'(?:, GTID of the last change '([^']*)')?/m.exec(text);
  return {
    type,
    baseSeq,
    fromLsn: lsn('from_lsn'),
    toLsn: lsn('to_lsn'),
    lastLsn: lsn('last_lsn'),
    binlogFile: pos?.[1] ?? null,
    binlogPos: pos ? Number(pos[2]) : null,
    gtid: pos?.[3] || null,
  };
}

/** The store's address on the stack's network (it reaches the nodes there, and they it). */
export async function storeAddress(docker: Docker, store: RunningContainer, network: string): Promise<string> {
  const info = await docker.getContainer(store.id).inspect();
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new InfraError(`the backup store has no address on ${network}`);
  return ip;
}

/**
 * One physical backup of `node` into `file` in the store. Returns the file's size and SHA-256 and what
 * mariadb-backup recorded. The store's listener is started first and the node's stream goes to it.
 */
export async function takePhysicalBackup(
  docker: Docker,
  o: { store: RunningContainer; storeIp: string; node: RunningContainer; file: string; type: 'full' | 'incremental'; base: BackupRecord | null; timeoutMs: number },
): Promise<{ bytes: number; sha256: string; physical: PhysicalBackupInfo }> {
  const { store, node, file } = o;
  // The listener: nc writes the stream to file.part and exits when the node closes the connection.
  // A listener left by a backup cut short (its node destroyed mid-stream) is ended first: nc listens with
  // SO_REUSEPORT, so an old one would still take connections meant for the new one.
  const listen = [
    `old=$(cat ${WORK}.nc.pid 2>/dev/null); [ -n "$old" ] && kill "$old" 2>/dev/null`,
    `mkdir -p "$(dirname "$1")"; rm -f "$1.part" ${WORK}.nc.pid`,
    `p=$(printf '%04X' ${STREAM_PORT}); i=0; while grep -q ":$p 00000000:0000 0A" /proc/net/tcp; do i=$((i+1)); [ $i -gt 100 ] && { echo "port ${STREAM_PORT} still taken" >&2; exit 1; }; sleep 0.02; done`,
    // exec: the pid recorded is nc's own, so a kill ends the listener.
    `setsid sh -c 'exec nc -l ${STREAM_PORT} > "$1.part" 2> ${WORK}.nc.err' sh "$1" > /dev/null 2>&1 < /dev/null & echo $! > ${WORK}.nc.pid`,
    // Listening (state 0A in /proc/net/tcp) before the node connects.
    `i=0; until grep -q ":$p 00000000:0000 0A" /proc/net/tcp; do i=$((i+1)); [ $i -gt 100 ] && { echo "nc did not listen on ${STREAM_PORT}" >&2; exit 1; }; sleep 0.02; done`,
  ].join('\n');
  await execChecked(docker, store.id, 'backup store listener', sh(listen, file), { timeoutMs: 10_000 });
  const incremental = o.type === 'incremental' ? `--incremental-lsn=${o.base!.physical!.toLsn}` : '';
  const backup = [
    'set -o pipefail',
    `rm -rf ${WORK} && mkdir -p ${WORK}`,
    // -N: close the connection at the end of the stream, so the store's nc ends the file.
    `mariadb-backup --backup --user=root --socket=/run/mysqld/mysqld.sock --stream=mbstream --target-dir=${WORK}/t --extra-lsndir=${WORK}/lsn ${incremental} 2> ${WORK}/log | nc -N "$1" ${STREAM_PORT} || { tail -5 ${WORK}/log >&2; exit 1; }`,
    `cat ${WORK}/lsn/xtrabackup_checkpoints; grep '^binlog_pos' ${WORK}/lsn/xtrabackup_info; rm -rf ${WORK}`,
  ].join('\n');
  let out;
  try {
    out = await execChecked(docker, node.id, `mariadb-backup on ${node.node}`, ['bash', '-c', backup, 'bash', o.storeIp], { timeoutMs: o.timeoutMs });
  } catch (error) {
    await execChecked(docker, store.id, 'stopping the listener', sh(`kill $(cat ${WORK}.nc.pid) 2>/dev/null; rm -f "$1.part"; true`, file), { timeoutMs: 10_000 }).catch(() => {});
    throw error;
  }
  const physical = parsePhysicalInfo(out.stdout, o.type, o.type === 'incremental' ? o.base!.seq : null);
  if (o.type === 'incremental' && physical.fromLsn !== o.base!.physical!.toLsn)
    throw new InfraError(`incremental starts at LSN ${physical.fromLsn}, its base #${o.base!.seq} ends at ${o.base!.physical!.toLsn}`);
  const finish = [
    `i=0; while kill -0 $(cat ${WORK}.nc.pid) 2>/dev/null; do i=$((i+1)); [ $i -gt 600 ] && { kill $(cat ${WORK}.nc.pid); echo "the stream did not end within 30 s" >&2; exit 1; }; sleep 0.05; done`,
    `rm -f ${WORK}.nc.pid; [ -s "$1.part" ] || { echo "the stream was empty: $(cat ${WORK}.nc.err)" >&2; exit 1; }`,
    `mv "$1.part" "$1" && echo "$(stat -c %s "$1") $(sha256sum "$1" | cut -d' ' -f1)"`,
  ].join('\n');
  const done = await execChecked(docker, store.id, 'backup file in the store', sh(finish, file), { timeoutMs: 60_000 });
  const [size, sha256] = done.stdout.trim().split('\n').at(-1)!.split(' ');
  return { bytes: Number(size), sha256: sha256 ?? '', physical };
}

/**
 * Extract the chain (the files "$@", full first) into folder $W, prepare the full one, apply each
 * incremental in order (each one's from_lsn must be the LSN the chain stands at). Prints "lsn gtid" of
 * the prepared backup (the GTID of its consistent point: where a binlog replay starts).
 */
export const PREPARE_SCRIPT = [
  'set -e',
  'rm -rf "$W"; mkdir -p "$W"; n=0',
  'for f in "$@"; do n=$((n+1)); mkdir "$W/$n"; mbstream -x -C "$W/$n" < "$f"; done',
  'mariadb-backup --prepare --target-dir="$W/1" > "$W/prepare.log" 2>&1 || { tail -5 "$W/prepare.log" >&2; exit 1; }',
  'at=$(sed -n "s/^to_lsn = //p" "$W/1/xtrabackup_checkpoints"); i=2',
  'while [ $i -le $n ]; do',
  '  from=$(sed -n "s/^from_lsn = //p" "$W/$i/xtrabackup_checkpoints")',
  '  [ "$from" = "$at" ] || { echo "incremental $i of the chain starts at LSN $from, the chain stands at $at" >&2; exit 1; }',
  '  mariadb-backup --prepare --target-dir="$W/1" --incremental-dir="$W/$i" > "$W/prepare.log" 2>&1 || { tail -5 "$W/prepare.log" >&2; exit 1; }',
  '  at=$(sed -n "s/^to_lsn = //p" "$W/$i/xtrabackup_checkpoints"); rm -rf "$W/$i"; i=$((i+1))',
  'done',
  'echo "$at $(cut -f3 "$W/1/xtrabackup_binlog_info" 2>/dev/null)"',
].join('\n');

/** Empty the datadir $D, move the prepared backup in $W/1 into it, owned by the server's user; prints its size. */
export const MOVE_BACK_SCRIPT = [
  'set -e',
  'mkdir -p "$D"; find "$D" -mindepth 1 -delete',
  'mariadb-backup --move-back --target-dir="$W/1" --datadir="$D" > "$W/move-back.log" 2>&1 || { tail -5 "$W/move-back.log" >&2; exit 1; }',
  'chown -R mysql:mysql "$D"; rm -rf "$W"',
  'du -sb "$D" | cut -f1',
].join('\n');
