import { performance } from 'node:perf_hooks';
import { execChecked, exec, sh } from '../../engine/docker-exec.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import type { TimelineEvent } from '../../measure/types.js';
import type { StackContext } from '../../stacks/plugin.js';
import type { Stack } from '../../stacks/stack.js';
import { isDrillImage } from '../../stacks/mysql/server.js';
import { InfraError, UsageError, errorMessage } from '../../util/errors.js';
import type { Layer, LayerCheckInput, LayerContext, LayerRestoreRequest, LayerRunView, LayerSpecOf } from '../plugin.js';
import type { BackupMethod, BackupRecord, DisasterRestoreRecord, RestoreCheckRecord, RestoreRecord } from '../result.js';
import { chainOf, nextPhysical, storeAddress, takePhysicalBackup, withBases } from './physical.js';
import { restorePhysical } from './physical-restore.js';
import { assessRestoreChecks, restoreCheck } from './restore-check.js';
import { ARCHIVE_DIR, BinlogArchive } from './binlog-archive.js';
import { ARCHIVE_CHECK_MS } from './archive-check.js';
import { tableChecksum } from './table-checksum.js';
import { disasterFaults, type BackupDamageDone, type BackupDamageRequest } from '../../faults/backup-damage.js';
import { assertNever } from '../../util/assert-never.js';
import { sleep } from '../../util/wait.js';
import { formatDurationMs } from '../../spec/duration.js';
import { restoreFromBackup, type RestoreDeps } from './restore-from-backup.js';
import { assessBackups, backupToRestore, retainedBackups } from './assess.js';
import { backupMethod } from './descriptor.js';
import { STORE_DIR, backupScript, readIdsScript, restoreScript, stopScratchScript } from './methods.js';
import { restoreAof, takeAofBackup } from './aof-backup.js';

// The backup store: one container on a network of its own (the second site), joined to the stack's
// network only to reach the data nodes. It takes a backup of whoever is primary at that moment, every
// `every`, under the load; after the load it restores the newest backup taken before the first fault
// into a scratch server inside itself and reads every write back (docs/backup.md).

/** One backup or restore; a dataset a drill writes takes seconds, so this only catches a hung client. */
const BACKUP_TIMEOUT_MS = 120_000;

export async function startBackupLayer(ctx: LayerContext, spec: LayerSpecOf<'backup'>, stack: Stack): Promise<Layer> {
  const { docker, run } = ctx;
  const method = backupMethod(spec, ctx.stackSpec);
  // The drill file's stack.image is refused by validation; DRILL_SERVER_IMAGES=official is known only here.
  if (method === 'physical' && ctx.stackSpec.kind === 'mysql-replication' && !(await isDrillImage(docker, ctx.images.mysql)))
    throw new UsageError(
      `layers: backup method physical needs drill's own MariaDB image (mariadb-backup runs in the primary's container and on the restored node, matched to the server), got ${ctx.images.mysql}: unset DRILL_SERVER_IMAGES or use method: dump (docs/backup-restore.md)`,
    );
  const site = `drill-${run.token}-site-b`;
  await createNetwork(docker, run, site);
  const store = await startContainer(docker, run, {
    node: 'backup-store',
    name: `drill-${run.token}-backup-store`,
    role: 'backup-store',
    image: stack.data.kind === 'redis' ? ctx.images.tools.redis : ctx.images.tools.mysql,
    cmd: ['sh', '-c', `mkdir -p ${STORE_DIR} && exec sleep infinity`],
    networkName: site,
  });
  if (!stack.network) throw new InfraError('backup layer: the stack has no network its data nodes share, so the store cannot reach them');
  await docker
    .getNetwork(stack.network)
    .connect({ Container: store.id })
    .catch((error: unknown) => {
      throw new InfraError(`backup layer: could not join the store to the stack's network ${stack.network}: ${errorMessage(error)}`);
    });
  if (spec.binlogArchive && stack.data.kind !== 'mysql') throw new InfraError(`backup layer: binlogArchive needs MariaDB/MySQL data (the stack holds ${stack.data.kind})`);
  ctx.log.info({ store: store.name, site, method, everyMs: spec.everyMs, keep: spec.keep, binlogArchive: spec.binlogArchive }, 'backup store ready on its own site');
  return new BackupLayer(ctx, spec, method, stack, store, site);
}

class BackupLayer implements Layer {
  readonly kind = 'backup';
  readonly containers: RunningContainer[];
  private readonly backups: BackupRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private run: LayerRunView = { faults: [] };
  private readonly archive: BinlogArchive | null;
  private archiveTimer: NodeJS.Timeout | undefined;
  private archiving: Promise<unknown> | undefined;
  private onEvent: (event: TimelineEvent) => void = () => {};
  private readonly restores: DisasterRestoreRecord[] = [];
  private readonly checks: { record: RestoreCheckRecord; ids: Set<number> | null }[] = [];
  /** The backups a restore check in progress may load: retention leaves them alone meanwhile. */
  private checking = new Set<number>();
  /** A restore is under way: the archive is not followed meanwhile (the archive being copied stays as it is). */
  private restoring = false;
  /** The store's address on the stack's network (physical backups stream to it). */
  private storeIp: string | undefined;

  constructor(
    private readonly ctx: StackContext,
    private readonly spec: LayerSpecOf<'backup'>,
    private readonly method: BackupMethod,
    private readonly stack: Stack,
    private readonly store: RunningContainer,
    private readonly site: string,
  ) {
    this.containers = [store];
    this.archive = spec.binlogArchive && stack.data.kind === 'mysql' ? new BinlogArchive(ctx.docker, store, stack.data) : null;
  }

  events(onEvent: (event: TimelineEvent) => void, run: LayerRunView): Promise<void> {
    this.run = run;
    this.onEvent = onEvent;
    if (this.archive) this.followArchive(this.archive);
    // A fixed schedule from now: a backup that overruns its slot delays the next one, never doubles up.
    const t0 = performance.now();
    let n = 0;
    const tick = () => {
      this.timer = undefined;
      if (this.stopped) return;
      // While a restore provisions and loads a node, there is no primary to back up: the slot is skipped.
      this.running = (this.restoring ? Promise.resolve() : this.takeBackup(onEvent)).finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        n++;
        this.timer = setTimeout(tick, Math.max(0, t0 + n * this.spec.everyMs - performance.now()));
      });
    };
    tick();
    return Promise.resolve();
  }

  async quiesce(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.archiveTimer) clearTimeout(this.archiveTimer);
    await this.running;
    await this.archiving;
    await this.archive?.stop();
  }

  /** Every second: the archiver runs against the current primary; its lag is sampled. */
  private followArchive(archive: BinlogArchive): void {
    const tick = () => {
      this.archiveTimer = undefined;
      if (this.stopped) return;
      this.archiving = (async () => {
        if (this.restoring) return;
        const primary = await this.stack.primary();
        const before = archive.node;
        const sample = await archive.check(primary, this.ctx.clock.nowMs());
        if (sample.started || (sample.error && archive.samples.at(-2)?.error === undefined)) {
          this.onEvent({
            atMs: sample.atMs,
            source: 'backup',
            message: sample.error ? sample.error : `binlog archive ${before && before !== primary.node ? `follows the new primary ${primary.node}` : `started from ${primary.node}`}`,
            marker: 'binlog-archive',
          });
        }
      })()
        .catch((error: unknown) => {
          this.ctx.log.warn({ err: errorMessage(error) }, 'binlog archive check failed');
        })
        .finally(() => {
          this.archiving = undefined;
          if (!this.stopped) this.archiveTimer = setTimeout(tick, ARCHIVE_CHECK_MS);
        });
    };
    tick();
  }

  /** A `restore` runbook step: the newest usable backup (and the archive) onto a fresh node, made the primary. */
  async restore(req: LayerRestoreRequest): Promise<DisasterRestoreRecord> {
    const host = this.stack.restoreHost;
    if (!host) throw new InfraError(`restore: stack ${this.stack.kind} cannot provision a fresh node (drill does not own its nodes)`);
    if (this.method === 'aof') return this.restoreAofBackup(host, req);
    if (this.method === 'rdb') throw new InfraError(`restore: only MariaDB/MySQL dumps and physical backups, and Redis AOF copies, can be restored onto a fresh node so far (method ${this.method})`);
    // The backups that hold nothing after the target (finished before the mistake, before the time, or
    // before now), still kept, newest first: the restore takes the first whose checksum still matches.
    const toMs = req.toTime === undefined ? undefined : 'runMs' in req.toTime ? req.toTime.runMs : this.ctx.clock.fromEpochMs(req.toTime.epochMs);
    // To a time: the replay stops at the start of its whole second (binlog timestamps), so the backup must have finished by then.
    const toSecondMs = toMs === undefined ? undefined : this.ctx.clock.fromEpochMs(Math.floor(this.ctx.clock.toEpochMs(toMs) / 1000) * 1000);
    const untilMs = req.before ? req.before.injectedAtMs : (toSecondMs ?? this.ctx.clock.nowMs());
    const candidates = this.backups.filter((b) => b.ok && b.file && b.deletedAtMs === undefined && b.endedAtMs <= untilMs).reverse();
    const what = req.before ? `"${req.before.name}"` : toMs !== undefined ? `the time asked (${Math.round(toMs)} ms)` : 'now';
    if (toMs !== undefined && toMs > this.ctx.clock.nowMs()) throw new InfraError(`restore to ${what}: that time has not come yet (now ${Math.round(this.ctx.clock.nowMs())} ms)`);
    if (candidates.length === 0) throw new InfraError(`restore: no kept backup finished before ${what} (${this.backups.filter((b) => b.ok).length} succeeded, keep: ${this.spec.keep})`);
    if ((req.before || toMs !== undefined) && !this.archive) throw new InfraError(`restore to ${what}: point-in-time recovery needs binlogArchive: true on the backup layer`);
    this.restoring = true;
    try {
      await this.archiving;
      // For the latest target the archive is taken as it is now: its archiver stops so the files stay whole.
      if (this.archive && !req.before && toMs === undefined) await this.archive.stop();
      const stop = req.before
        ? { kind: 'before' as const, name: req.before.name ?? req.before.kind, gtid: req.before.gtid ?? '' }
        : toMs !== undefined
          ? { kind: 'time' as const, atMs: toMs, epochMs: this.ctx.clock.toEpochMs(toMs) }
          : null;
      return await this.keepRestore(
        (this.method === 'physical' ? restorePhysical : restoreFromBackup)(this.restoreDeps(host, candidates, this.archive?.node ?? null), { stop, timeoutMs: req.timeoutMs, signal: req.signal }),
      );
    } finally {
      this.restoring = false;
    }
  }

  /** What a restore onto a fresh node needs of this layer; its phases go on the timeline as backup events. */
  private restoreDeps(host: NonNullable<Stack['restoreHost']>, candidates: BackupRecord[], archiveNode: string | null): RestoreDeps {
    return {
      docker: this.ctx.docker,
      clock: this.ctx.clock,
      store: this.store,
      host,
      candidates,
      backups: this.backups,
      archiveNode,
      mark: (marker, atMs, message) => {
        this.onEvent({ atMs, source: 'backup', message, marker });
      },
    };
  }

  /** Keep a restore's record, a failed one too (it carries how far it got). */
  private async keepRestore(restore: Promise<DisasterRestoreRecord>): Promise<DisasterRestoreRecord> {
    const record = await restore.catch((error: unknown) => {
      const failed = (error as { record?: DisasterRestoreRecord }).record;
      if (failed) this.restores.push(failed);
      throw error;
    });
    this.restores.push(record);
    return record;
  }

  /** A `restore-check` step: the newest usable backup into a scratch node, read back, the node removed (restore-check.ts). */
  async restoreCheck(req: { timeoutMs: number; signal: AbortSignal }): Promise<RestoreCheckRecord> {
    const candidates = this.backups.filter((b) => b.ok && b.file && b.deletedAtMs === undefined).reverse();
    this.checking = new Set(candidates.map((b) => b.seq));
    const out = await restoreCheck(
      {
        docker: this.ctx.docker,
        run: this.ctx.run,
        clock: this.ctx.clock,
        store: this.store,
        image: this.store.image,
        site: this.site,
        method: this.method,
        candidates,
        chain: (b) => (this.method === 'physical' ? (chainOf(b, this.backups) ?? []) : [b]),
        seq: this.checks.length + 1,
      },
      req.timeoutMs,
    ).finally(() => {
      this.checking = new Set();
    });
    this.checks.push(out);
    const r = out.record;
    this.onEvent({
      atMs: r.endedAtMs,
      source: 'backup',
      message: r.error
        ? `restore check failed: ${r.error}`
        : `restore check: backup #${r.backupSeq} (${r.backupBytes} bytes) restored into ${r.node} in ${Math.round(r.restoreMs!)} ms, ${r.rows} writes read back${r.checksum ? `, CHECKSUM TABLE ${r.checksum}` : ''}; scratch node ${r.removed ? 'removed' : 'NOT removed'}`,
      marker: r.error ? 'backup-error' : 'backup',
    });
    return r;
  }

  /**
   * Redis: the newest kept AOF copy (it holds the mistake and what came before it when taken after it),
   * cut before the mistake's command, onto a fresh node made the primary (aof-backup.ts).
   */
  private async restoreAofBackup(host: NonNullable<Stack['restoreHost']>, req: LayerRestoreRequest): Promise<DisasterRestoreRecord> {
    if (req.toTime) throw new InfraError('restore to a time: an AOF holds no timestamps; restore `before: <mistake>` or latest');
    const candidates = this.backups.filter((b) => b.ok && b.file && b.deletedAtMs === undefined).reverse();
    if (candidates.length === 0) throw new InfraError(`restore: the store holds no AOF backup (${this.backups.filter((b) => b.ok).length} succeeded, keep: ${this.spec.keep})`);
    this.restoring = true;
    try {
      await this.running;
      const mistake = req.before ? { name: req.before.name ?? 'operator-mistake', statement: req.before.statement ?? '' } : null;
      return await this.keepRestore(
        restoreAof(this.restoreDeps(host, candidates, null), {
          mistake,
          password: this.stack.data.kind === 'redis' ? this.stack.data.password : undefined,
          timeoutMs: req.timeoutMs,
          signal: req.signal,
        }),
      );
    } finally {
      this.restoring = false;
    }
  }

  /** A bad-backup fault (docs/backup-restore.md): damage this store's backups, or cut the store off. */
  async damageBackups(req: BackupDamageRequest): Promise<BackupDamageDone> {
    const { docker } = this.ctx;
    switch (req.kind) {
      case 'corrupt-backup': {
        const newest = this.backups.filter((b) => b.ok && b.file && b.deletedAtMs === undefined && (req.backup === 'newest' || b.physical?.type === 'full')).at(-1);
        if (!newest) throw new InfraError(`corrupt-backup: the store holds no ${req.backup === 'newest' ? 'backup' : 'full physical backup'} yet`);
        const damage =
          req.how === 'flip'
            ? // Overwrite 32 bytes in the middle (conv=notrunc: the size stays, only the content changes).
              `s=$(stat -c %s "$1"); printf 'DRILL-CORRUPTED-THESE-32-BYTES!!' | dd of="$1" bs=1 seek=$((s / 2)) conv=notrunc 2>/dev/null`
            : 'truncate -s $(( $(stat -c %s "$1") / 2 )) "$1"';
        const out = await execChecked(docker, this.store.id, `corrupt-backup of #${newest.seq}`, sh(`${damage} && echo "$(stat -c %s "$1") $(sha256sum "$1" | cut -d' ' -f1)"`, newest.file!), {
          timeoutMs: 30_000,
        });
        const [bytes, sha] = out.stdout.trim().split('\n').at(-1)!.split(' ');
        if (sha === newest.sha256) throw new InfraError(`corrupt-backup: backup #${newest.seq} hashes as before: nothing was damaged`);
        const how = req.how === 'flip' ? `32 bytes overwritten at offset ${Math.floor((newest.bytes ?? 0) / 2)}` : `truncated from ${newest.bytes} to ${bytes} bytes`;
        return {
          container: this.store.name,
          details: { backupSeq: newest.seq, damage: `backup #${newest.seq} (${newest.file}): ${how}; SHA-256 now ${sha?.slice(0, 12)}…, ${newest.sha256?.slice(0, 12)}… when taken` },
          message: `corrupt-backup: backup #${newest.seq} in the store ${how}`,
          undo: null,
        };
      }
      case 'break-binlog-chain': {
        if (!this.archive || this.stack.data.kind !== 'mysql') throw new InfraError('break-binlog-chain: the backup layer keeps no binlog archive (binlogArchive: true)');
        const data = this.stack.data;
        const primary = await this.stack.primary();
        if (this.archive.node !== primary.node) throw new InfraError(`break-binlog-chain: the archive follows ${this.archive.node ?? 'nothing'}, not the primary ${primary.node}`);
        const env = { MYSQL_PWD: data.password, DRILL_USER: data.user };
        const rotate = `mariadb --no-defaults -h "$1" -P ${data.port} -u "$DRILL_USER" -N -B -e 'FLUSH BINARY LOGS; SHOW MASTER STATUS' | cut -f1`;
        // Writes acknowledged before this call began are in the file it closes: the gap begins no earlier.
        const gapFromMs = this.ctx.clock.nowMs();
        const first = (await execChecked(docker, this.store.id, 'break-binlog-chain: rotating the binlog', sh(rotate, primary.ip), { timeoutMs: 10_000, env })).stdout.trim();
        await sleep(req.gapMs);
        const dir = `${ARCHIVE_DIR}/${primary.node}`;
        // Rotate again, wait until the archive has the next file (so the one between is whole), then delete it.
        const script = [
          `f=$(${rotate})`,
          'i=0; until [ -f "$2/$f" ]; do i=$((i+1)); [ $i -gt 200 ] && { echo "the archive never received $f" >&2; exit 1; }; sleep 0.05; done',
          'rm "$2/$3" && echo "$f"',
        ].join('\n');
        const next = (await execChecked(docker, this.store.id, 'break-binlog-chain: removing an archived binlog', sh(script, primary.ip, dir, first), { timeoutMs: 20_000, env })).stdout.trim();
        return {
          container: this.store.name,
          details: { removedBinlog: first, gapFromMs },
          message: `break-binlog-chain: ${first} (about ${formatDurationMs(req.gapMs)} of ${primary.node}'s binlog) deleted from the archive; it goes on in ${next}`,
          undo: null,
        };
      }
      case 'backup-store-down': {
        const network = this.stack.network;
        await docker.getNetwork(network).disconnect({ Container: this.store.id, Force: true });
        return {
          container: this.store.name,
          details: {},
          message: `backup-store-down: ${this.store.name} cut off from ${network} (the data nodes are out of its reach)`,
          undo: async () => {
            await docker
              .getNetwork(network)
              .connect({ Container: this.store.id })
              .catch((error: unknown) => {
                if (!/already exists/i.test(errorMessage(error))) throw error;
              });
            return `${this.store.name} joined ${network} again`;
          },
        };
      }
      default:
        return assertNever(req, 'backup damage');
    }
  }

  /** One backup of `primary` into `file` in the store: its size and SHA-256. */
  private async backupOf(primary: RunningContainer, seq: number, file: string): Promise<{ bytes: number; sha256: string | undefined; physical?: BackupRecord['physical'] }> {
    if (this.method === 'aof') return takeAofBackup(this.ctx.docker, primary, this.store, file, BACKUP_TIMEOUT_MS);
    if (this.method === 'physical') {
      const next = nextPhysical(this.backups, primary.node, this.spec.incrementals);
      this.storeIp ??= await storeAddress(this.ctx.docker, this.store, this.stack.network);
      const base = next.type === 'incremental' ? next.base : null;
      const taken = await takePhysicalBackup(this.ctx.docker, { store: this.store, storeIp: this.storeIp, node: primary, file, type: next.type, base, timeoutMs: BACKUP_TIMEOUT_MS });
      return { bytes: taken.bytes, sha256: taken.sha256, physical: taken.physical };
    }
    const { script, secret } = backupScript(this.method, this.stack.data, this.archive !== null);
    const out = await execChecked(this.ctx.docker, this.store.id, `backup #${seq} of ${primary.node}`, sh(script, primary.ip, file, secret), { timeoutMs: BACKUP_TIMEOUT_MS });
    const [size, sha256] = out.stdout.trim().split('\n').at(-1)!.split(' ');
    return { bytes: Number(size), sha256 };
  }

  private async takeBackup(onEvent: (event: TimelineEvent) => void): Promise<void> {
    const { clock } = this.ctx;
    const seq = this.backups.length + 1;
    const ext = { rdb: 'rdb', aof: 'aof.tar', physical: 'mbstream', dump: 'sql' }[this.method];
    const file = `${STORE_DIR}/backup-${String(seq).padStart(6, '0')}.${ext}`;
    let node = '?';
    const startedAtMs = clock.nowMs();
    try {
      const primary = await this.stack.primary();
      node = primary.node;
      const { bytes, sha256, physical } = await this.backupOf(primary, seq, file);
      const endedAtMs = clock.nowMs();
      this.backups.push({ seq, node, startedAtMs, endedAtMs, ok: true, bytes: Number.isFinite(bytes) ? bytes : null, file, sha256: sha256 ?? null, ...(physical ? { physical } : {}) });
      const what = physical
        ? `${physical.type}${physical.baseSeq ? ` on #${physical.baseSeq}` : ''}, LSN ${physical.fromLsn}→${physical.toLsn}, binlog ${physical.binlogFile}:${physical.binlogPos} GTID ${physical.gtid ?? '-'}`
        : this.method;
      onEvent({
        atMs: endedAtMs,
        source: 'backup',
        message: `backup #${seq} of ${node} (${what}): ${Number.isFinite(bytes) ? bytes : '?'} bytes in ${Math.round(endedAtMs - startedAtMs)} ms`,
        marker: 'backup',
      });
      await this.applyRetention();
    } catch (error) {
      const endedAtMs = clock.nowMs();
      const why = errorMessage(error);
      this.backups.push({ seq, node, startedAtMs, endedAtMs, ok: false, bytes: null, file: null, error: why });
      onEvent({ atMs: endedAtMs, source: 'backup', message: `backup #${seq} of ${node} failed: ${why}`, marker: 'backup-error' });
    }
  }

  /**
   * The table on the node the last restore made primary against the writes drill saw acknowledged before
   * its recovery point (the mistake, the time asked) or before the disaster (latest).
   */
  private async checksumLastRestore(input: LayerCheckInput, disasterAtMs: number): Promise<void> {
    const r = this.restores.at(-1);
    if (!r || r.error || this.stack.data.kind !== 'mysql') return;
    const mistake = r.stopGtid ? input.faults.find((f) => f.kind === 'operator-mistake' && f.gtid && r.target.includes(f.gtid)) : undefined;
    const pointMs = mistake ? mistake.injectedAtMs : (r.stopAtMs ?? disasterAtMs);
    const basis = `acknowledged before ${mistake ? `the mistake "${mistake.name}"` : r.stopAtMs != null ? 'the time restored to' : 'the disaster'} at ${Math.round(pointMs)} ms`;
    const ids = input.history.filter((w) => w.outcome === 'ok' && w.completeMs < pointMs).map((w) => w.id);
    try {
      r.checksum = await tableChecksum(this.ctx.docker, await this.stack.primary(), ids, basis);
    } catch (error) {
      this.ctx.log.warn({ err: errorMessage(error) }, 'table checksum after the restore failed');
      r.checksum = null;
    }
  }

  /** Delete from the store what retention no longer keeps. */
  private async applyRetention(): Promise<void> {
    // A backup known to be damaged (a fault corrupted it, or a restore found its checksum changed) does not
    // count as the one kept from before the fault, so the intact one before it stays; the damaged file is kept as evidence.
    const damaged = new Set([...this.run.faults.map((f) => f.backupSeq), ...this.restores.flatMap((r) => (r.skipped ?? []).map((k) => k.seq))]);
    // The backup a restore loaded is kept too (what the restored data came from stays in the store to
    // check), and those a restore check may be loading.
    const restored = new Set([...this.restores.map((r) => r.backupSeq), ...this.checks.map((c) => c.record.backupSeq), ...this.checking]);
    // A physical incremental keeps its chain back to the full one (never a base deleted under it).
    const kept = withBases(
      [
        ...retainedBackups(
          this.backups.filter((b) => !damaged.has(b.seq)),
          this.spec.keep,
          disasterFaults(this.run.faults)[0]?.injectedAtMs ?? null,
        ),
        ...this.backups.filter((b) => restored.has(b.seq)),
      ],
      this.backups,
    );
    const drop = this.backups.filter((b) => b.ok && b.file && b.deletedAtMs === undefined && !kept.has(b) && !damaged.has(b.seq));
    if (drop.length === 0) return;
    await execChecked(this.ctx.docker, this.store.id, 'retention', ['rm', '-f', ...drop.map((b) => b.file!)], { timeoutMs: 30_000 });
    const at = this.ctx.clock.nowMs();
    for (const b of drop) b.deletedAtMs = at;
  }

  async check(input: LayerCheckInput): Promise<ReturnType<typeof assessBackups>> {
    await this.quiesce();
    const firstFault = disasterFaults(input.faults)[0]?.injectedAtMs;
    const disasterAtMs = firstFault ?? input.loadEndMs;
    // The newest kept backup before the disaster whose bytes still hash as when taken (a damaged one is passed over, as a restore would).
    const skipped: { seq: number; why: string }[] = [];
    let chosen = backupToRestore(this.backups, this.spec.keep, disasterAtMs, firstFault ?? null);
    // A physical backup is restored with its chain: every file of it must still hash as when taken.
    const chainFiles = (b: BackupRecord) => (this.method === 'physical' ? (chainOf(b, this.backups) ?? [b]) : [b]);
    while (chosen?.file && chosen.sha256) {
      let why: string | null = null;
      for (const link of chainFiles(chosen)) {
        const sum = await execChecked(this.ctx.docker, this.store.id, `checksum of backup #${link.seq}`, sh('sha256sum "$1" | cut -d" " -f1', link.file ?? '-'), { timeoutMs: 30_000 }).then(
          (o) => o.stdout.trim(),
          (error: unknown) => errorMessage(error),
        );
        if (sum === link.sha256) continue;
        why = `${link === chosen ? '' : `its base #${link.seq}: `}checksum mismatch (SHA-256 ${sum.slice(0, 12)}… now, ${link.sha256?.slice(0, 12)}… when taken)`;
        break;
      }
      if (why === null) break;
      skipped.push({ seq: chosen.seq, why });
      const older: number = chosen.seq;
      chosen = backupToRestore(
        this.backups.filter((b) => b.seq < older),
        this.spec.keep,
        disasterAtMs,
        firstFault ?? null,
      );
    }
    let restore: RestoreRecord | null = null;
    let restoredIds: Set<number> | null = null;
    if (chosen?.file) {
      const { docker } = this.ctx;
      const started = performance.now();
      try {
        await execChecked(docker, this.store.id, `restore of backup #${chosen.seq}`, sh(restoreScript(this.method), ...chainFiles(chosen).map((b) => b.file!)), { timeoutMs: BACKUP_TIMEOUT_MS });
        const restoreMs = performance.now() - started;
        const read = await execChecked(docker, this.store.id, `reading backup #${chosen.seq} back`, sh(readIdsScript(this.method)), { timeoutMs: 60_000 });
        restoredIds = new Set(
          read.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => /^\d+$/.test(l))
            .map(Number),
        );
        restore = { seq: chosen.seq, file: chosen.file, restoreMs, writes: restoredIds.size, ...(skipped.length ? { skipped } : {}) };
      } catch (error) {
        restore = { seq: chosen.seq, file: chosen.file, restoreMs: performance.now() - started, writes: null, error: errorMessage(error), ...(skipped.length ? { skipped } : {}) };
      } finally {
        await exec(docker, this.store.id, sh(stopScratchScript(this.method)), { timeoutMs: 30_000 }).catch(() => {});
      }
    }
    await this.checksumLastRestore(input, disasterAtMs);
    const assessed = assessBackups({
      method: this.method,
      everyMs: this.spec.everyMs,
      keep: this.spec.keep,
      rpoMs: this.spec.rpoMs,
      containers: this.containers.map((c) => ({ name: c.name, role: c.role, image: c.image })),
      backups: this.backups,
      restore,
      restoredIds,
      history: input.history,
      reads: input.reads,
      disasterAtMs,
      disasterIs: firstFault === undefined ? 'the end of the load' : 'the first fault',
      archive: this.archive ? { samples: this.archive.samples } : null,
      restores: this.restores,
      presentIds: input.presentIds,
      loadEndMs: input.loadEndMs,
      storeDown: input.faults.filter((f) => f.kind === 'backup-store-down').map((f) => ({ fromMs: f.injectedAtMs, toMs: f.healReturnedAtMs ?? input.loadEndMs })),
      backupAgeMs: this.spec.backupAgeMs,
      restoreTimeMs: this.spec.restoreTimeMs,
    });
    if (this.checks.length === 0) return assessed;
    const { restoreChecks, checks } = assessRestoreChecks(this.checks, input.history);
    return { ...assessed, restoreChecks, checks: [...assessed.checks, ...checks] };
  }
}
