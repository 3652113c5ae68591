import { performance } from 'node:perf_hooks';
import { execChecked, exec, sh } from '../../engine/docker-exec.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import type { TimelineEvent } from '../../measure/types.js';
import type { StackContext } from '../../stacks/plugin.js';
import type { Stack } from '../../stacks/stack.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { Layer, LayerCheckInput, LayerContext, LayerRunView, LayerSpecOf } from '../plugin.js';
import type { BackupRecord, RestoreRecord } from '../result.js';
import { assessBackups, backupToRestore, retainedBackups } from './assess.js';
import { backupMethod } from './descriptor.js';
import { STORE_DIR, backupScript, readIdsScript, restoreScript, stopScratchScript } from './methods.js';

// The backup store: one container on a network of its own (the second site), joined to the stack's
// network only to reach the data nodes. It takes a backup of whoever is primary at that moment, every
// `every`, under the load; after the load it restores the newest backup taken before the first fault
// into a scratch server inside itself and reads every write back (docs/backup.md).

/** One backup or restore; a dataset a drill writes takes seconds, so this only catches a hung client. */
const BACKUP_TIMEOUT_MS = 120_000;

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
  ctx.log.info({ store: store.name, site, method, everyMs: spec.everyMs, keep: spec.keep }, 'backup store ready on its own site');
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

  constructor(
    private readonly ctx: StackContext,
    private readonly spec: LayerSpecOf<'backup'>,
    private readonly method: 'rdb' | 'dump',
    private readonly stack: Stack,
    private readonly store: RunningContainer,
  ) {
    this.containers = [store];
  }

  events(onEvent: (event: TimelineEvent) => void, run: LayerRunView): Promise<void> {
    this.run = run;
    // A fixed schedule from now: a backup that overruns its slot delays the next one, never doubles up.
    const t0 = performance.now();
    let n = 0;
    const tick = () => {
      this.timer = undefined;
      if (this.stopped) return;
      this.running = this.takeBackup(onEvent).finally(() => {
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
    await this.running;
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
      const { script, secret } = backupScript(this.method, this.stack.data);
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
    });
  }
}
