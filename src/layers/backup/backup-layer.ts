import { performance } from 'node:perf_hooks';
import { execChecked, exec, sh } from '../../engine/docker-exec.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import type { TimelineEvent } from '../../measure/types.js';
import type { StackContext } from '../../stacks/plugin.js';
import type { Stack } from '../../stacks/stack.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { Layer, LayerCheckInput, LayerContext, LayerRestoreRequest, LayerRunView, LayerSpecOf } from '../plugin.js';
import type { BackupRecord, DisasterRestoreRecord, RestoreRecord } from '../result.js';
import { BinlogArchive } from './binlog-archive.js';
import { restoreFromBackup } from './restore-from-backup.js';
import { assessBackups, backupToRestore, retainedBackups } from './assess.js';
import { backupMethod } from './descriptor.js';
import { STORE_DIR, backupScript, readIdsScript, restoreScript, stopScratchScript } from './methods.js';

// The backup store: one container on a network of its own (the second site), joined to the stack's
// network only to reach the data nodes. It takes a backup of whoever is primary at that moment, every
// `every`, under the load; after the load it restores the newest backup taken before the first fault
// into a scratch server inside itself and reads every write back (docs/backup.md).

/** One backup or restore; a dataset a drill writes takes seconds, so this only catches a hung client. */
const BACKUP_TIMEOUT_MS = 120_000;
/** How often the binlog archive is checked (started, following the primary) and its lag sampled. */
const ARCHIVE_CHECK_MS = 1000;

export async function startBackupLayer(ctx: LayerContext, spec: LayerSpecOf<'backup'>, stack: Stack): Promise<Layer> {
  const { docker, run } = ctx;
  const method = backupMethod(spec, ctx.stackSpec);
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
  return new BackupLayer(ctx, spec, method, stack, store);
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
  /** A restore is under way: the archive is not followed meanwhile (the archive being copied stays as it is). */
  private restoring = false;

  constructor(
    private readonly ctx: StackContext,
    private readonly spec: LayerSpecOf<'backup'>,
    private readonly method: 'rdb' | 'dump',
    private readonly stack: Stack,
    private readonly store: RunningContainer,
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
    if (this.method !== 'dump') throw new InfraError(`restore: only MariaDB/MySQL dumps can be restored onto a fresh node so far (method ${this.method})`);
    // The newest backup that holds nothing of the mistake (finished before it), or the newest of all; still kept.
    const untilMs = req.before ? req.before.injectedAtMs : this.ctx.clock.nowMs();
    const backup = this.backups.filter((b) => b.ok && b.file && b.deletedAtMs === undefined && b.endedAtMs <= untilMs).at(-1);
    if (!backup)
      throw new InfraError(`restore: no kept backup finished before ${req.before ? `"${req.before.name}"` : 'now'} (${this.backups.filter((b) => b.ok).length} succeeded, keep: ${this.spec.keep})`);
    if (req.before && !this.archive) throw new InfraError(`restore before "${req.before.name}": point-in-time recovery needs binlogArchive: true on the backup layer`);
    this.restoring = true;
    try {
      await this.archiving;
      // For the latest target the archive is taken as it is now: its archiver stops so the files stay whole.
      if (this.archive && !req.before) await this.archive.stop();
      const record = await restoreFromBackup(
        {
          docker: this.ctx.docker,
          clock: this.ctx.clock,
          store: this.store,
          host,
          backup,
          archiveNode: this.archive?.node ?? null,
          mark: (marker, atMs, message) => {
            this.onEvent({ atMs, source: 'backup', message, marker });
          },
        },
        { stopBefore: req.before ? { name: req.before.name ?? req.before.kind, gtid: req.before.gtid ?? '' } : null, timeoutMs: req.timeoutMs, signal: req.signal },
      ).catch((error: unknown) => {
        const failed = (error as { record?: DisasterRestoreRecord }).record;
        if (failed) this.restores.push(failed);
        throw error;
      });
      this.restores.push(record);
      return record;
    } finally {
      this.restoring = false;
    }
  }

  private async takeBackup(onEvent: (event: TimelineEvent) => void): Promise<void> {
    const { clock, docker } = this.ctx;
    const seq = this.backups.length + 1;
    const ext = this.method === 'rdb' ? 'rdb' : 'sql';
    const file = `${STORE_DIR}/backup-${String(seq).padStart(6, '0')}.${ext}`;
    let node = '?';
    const startedAtMs = clock.nowMs();
    try {
      const primary = await this.stack.primary();
      node = primary.node;
      const { script, secret } = backupScript(this.method, this.stack.data, this.archive !== null);
      const out = await execChecked(docker, this.store.id, `backup #${seq} of ${node}`, sh(script, primary.ip, file, secret), { timeoutMs: BACKUP_TIMEOUT_MS });
      const endedAtMs = clock.nowMs();
      const bytes = Number(out.stdout.trim().split('\n').at(-1));
      this.backups.push({ seq, node, startedAtMs, endedAtMs, ok: true, bytes: Number.isFinite(bytes) ? bytes : null, file });
      onEvent({
        atMs: endedAtMs,
        source: 'backup',
        message: `backup #${seq} of ${node} (${this.method}): ${Number.isFinite(bytes) ? bytes : '?'} bytes in ${Math.round(endedAtMs - startedAtMs)} ms`,
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

  /** Delete from the store what retention no longer keeps. */
  private async applyRetention(): Promise<void> {
    const kept = new Set(retainedBackups(this.backups, this.spec.keep, this.run.faults[0]?.injectedAtMs ?? null));
    const drop = this.backups.filter((b) => b.ok && b.file && b.deletedAtMs === undefined && !kept.has(b));
    if (drop.length === 0) return;
    await execChecked(this.ctx.docker, this.store.id, 'retention', ['rm', '-f', ...drop.map((b) => b.file!)], { timeoutMs: 30_000 });
    const at = this.ctx.clock.nowMs();
    for (const b of drop) b.deletedAtMs = at;
  }

  async check(input: LayerCheckInput): Promise<ReturnType<typeof assessBackups>> {
    await this.quiesce();
    const firstFault = input.faults[0]?.injectedAtMs;
    const disasterAtMs = firstFault ?? input.loadEndMs;
    const chosen = backupToRestore(this.backups, this.spec.keep, disasterAtMs, firstFault ?? null);
    let restore: RestoreRecord | null = null;
    let restoredIds: Set<number> | null = null;
    if (chosen?.file) {
      const { docker } = this.ctx;
      const started = performance.now();
      try {
        await execChecked(docker, this.store.id, `restore of backup #${chosen.seq}`, sh(restoreScript(this.method), chosen.file), { timeoutMs: BACKUP_TIMEOUT_MS });
        const restoreMs = performance.now() - started;
        const read = await execChecked(docker, this.store.id, `reading backup #${chosen.seq} back`, sh(readIdsScript(this.method)), { timeoutMs: 60_000 });
        restoredIds = new Set(
          read.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => /^\d+$/.test(l))
            .map(Number),
        );
        restore = { seq: chosen.seq, file: chosen.file, restoreMs, writes: restoredIds.size };
      } catch (error) {
        restore = { seq: chosen.seq, file: chosen.file, restoreMs: performance.now() - started, writes: null, error: errorMessage(error) };
      } finally {
        await exec(docker, this.store.id, sh(stopScratchScript(this.method)), { timeoutMs: 30_000 }).catch(() => {});
      }
    }
    return assessBackups({
      method: this.method,
      everyMs: this.spec.everyMs,
      keep: this.spec.keep,
      rpoMs: this.spec.rpoMs,
      containers: this.containers.map((c) => ({ name: c.name, role: c.role, image: c.image })),
      backups: this.backups,
      restore,
      restoredIds,
      history: input.history,
      disasterAtMs,
      disasterIs: firstFault === undefined ? 'the end of the load' : 'the first fault',
      archive: this.archive ? { samples: this.archive.samples } : null,
      restores: this.restores,
      presentIds: input.presentIds,
      backupAgeMs: this.spec.backupAgeMs,
      restoreTimeMs: this.spec.restoreTimeMs,
    });
  }
}
