import { divergenceOf } from '../../measure/divergence.js';
import { InfraError } from '../../util/errors.js';
import type { RunState } from '../run-state.js';

/** Every surviving node, after a bounded catch-up: the primary for lost writes, the replicas for divergence. */
export async function verify(run: RunState): Promise<void> {
  const { journal } = run;
  const stack = run.stack!;
  journal.stack.primaryAfter = (await stack.topology()).primary;
  const nodes = await stack.verify({ catchUpTimeoutMs: 10_000 });
  const checkedAtMs = journal.clock.nowMs();
  const presentIds = nodes.find((n) => n.role === 'primary')?.ids ?? null;
  journal.verification.presentIds = presentIds;
  if (!presentIds) throw new InfraError(`could not read the writes back from the primary ${journal.stack.primaryAfter ?? '(none)'}: ${nodes.map((n) => `${n.node}: ${n.error ?? n.role}`).join('; ')}`);
  // Both streams' writes: a probe id on a replica is neither missing nor extra when the probe sent it.
  journal.verification.divergence = divergenceOf(nodes, [...run.load!.history(), ...(journal.probe?.history ?? run.probe?.history() ?? [])], checkedAtMs);
  for (const n of nodes) journal.note('runner', n.ids ? `read ${n.ids.size} write ids from ${n.role} ${n.container}` : `could not read ${n.container}: ${n.error ?? 'unreachable'}`, 'verify');
  // Each layer's own checks (a real restore, ...), with the stack still up.
  const history = run.load!.history();
  const loadEndMs = history.reduce((end, w) => Math.max(end, w.completeMs), 0);
  for (const layer of run.layers) {
    const result = await layer.check({ history, reads: run.reads?.history() ?? [], faults: journal.faults, loadEndMs, stableMs: run.spec.measure.stableMs, events: journal.drillEvents, presentIds });
    journal.layers.push(result);
    for (const c of result.checks) journal.note(layer.kind, `${c.name}: ${c.ok ? 'ok' : 'FAILED'}: ${c.detail}`, 'layer-check');
    // A restore's first good write is known only from the load's history, after the load: on the timeline now.
    if (result.kind === 'backup') {
      for (const r of result.restores ?? []) {
        if (r.firstGoodWriteAtMs !== null)
          journal.record({
            atMs: r.firstGoodWriteAtMs,
            source: 'backup',
            message: `restore: first write acknowledged by ${r.node ?? '?'} (${Math.round(r.restoreTimeMs ?? 0)} ms after the restore began)`,
            marker: 'restore-first-write',
          });
        if (r.firstGoodReadAtMs != null)
          journal.record({
            atMs: r.firstGoodReadAtMs,
            source: 'backup',
            message: `restore: first read of data acknowledged before the disaster, from ${r.node ?? '?'} (${Math.round(r.readRestoreTimeMs ?? 0)} ms after the restore began)`,
            marker: 'restore-first-read',
          });
      }
    }
  }
}
