import { isGone } from '../engine/docker-client.js';
import { InfraError, errorMessage } from '../util/errors.js';
import { containerFault, engineCall, targetOf } from './container/container-fault.js';
import type { RunningContainer } from '../engine/resources.js';
import type { FaultContext, FaultPlugin } from './plugin.js';
import { helpersInNamespaceOf, removeHelperContainer } from './network/helpers.js';

/**
 * Remove the target's container and its data: the disk is gone, not just the process. drill's database
 * images keep the datadir in the container's own layer (no VOLUME), so removing the container removes
 * the data; any volume it mounted is removed with it (anonymous ones by the engine, named ones drill
 * labelled for this run here). A volume drill did not create is never touched: the fault refuses.
 * Nothing heals it; a restore from backup provisions a new node (docs/backup-restore.md).
 */
/**
 * What removing a node with its data takes: the container (force, with its anonymous volumes) and any
 * named volume this run labelled. Refuses (before removing anything) a host mount or another run's
 * volume. `remove()` does it; `proof()` afterwards checks the engine no longer knows the container.
 * drill's network helpers in the node's namespace go at the same instant: they are part of the node, and
 * a slow link's delaying proxy there holds bytes the node sent; kept alive, it would deliver them after
 * the node was gone (a site loss that lost nothing because its link outlived it, docs/site-loss.md).
 */
export async function planDestroy(ctx: FaultContext, c: RunningContainer): Promise<{ remove: () => Promise<void>; proof: () => Promise<string> }> {
  const container = ctx.docker.getContainer(c.id);
  const info = await container.inspect().catch((error: unknown) => {
    throw new InfraError(`destroy ${c.name}: ${errorMessage(error)}`);
  });
  const mounts = (info.Mounts as { Type: string; Name?: string; Destination: string }[] | undefined) ?? [];
  const named: string[] = [];
  for (const m of mounts) {
    if (m.Type !== 'volume' || !m.Name) throw new InfraError(`destroy ${c.name}: it mounts ${m.Destination} from the host (${m.Type}): drill removes only data it created`);
    const labels = (await ctx.docker.getVolume(m.Name).inspect()).Labels as Record<string, string> | null;
    // An anonymous volume carries no labels and goes with the container (v: true); a named one must be this run's.
    if (labels && labels['drill.run-id'] !== undefined && labels['drill.run-id'] !== ctx.run.runId) throw new InfraError(`destroy ${c.name}: volume ${m.Name} belongs to another run`);
    if (labels?.['drill.run-id'] === ctx.run.runId) named.push(m.Name);
  }
  const helpers = await helpersInNamespaceOf(ctx, c);
  return {
    remove: () =>
      engineCall(`destroy ${c.name}`, () => Promise.all([container.remove({ force: true, v: true }), ...helpers.map((h) => removeHelperContainer(ctx, h.id, h.name))]).then(() => undefined)),
    proof: async () => {
      for (const name of named) {
        await ctx.docker
          .getVolume(name)
          .remove()
          .catch((error: unknown) => {
            if (!isGone(error)) throw new InfraError(`destroy ${c.name}: removing its volume ${name}: ${errorMessage(error)}`);
          });
      }
      // Proof: the engine no longer knows the container.
      const gone = await container.inspect().then(
        () => false,
        (error: unknown) => isGone(error),
      );
      if (!gone) throw new InfraError(`destroy ${c.name}: the container is still there after its removal`);
      const where = mounts.length ? `its volumes ${mounts.map((m) => m.Name).join(', ')}` : "its datadir (in the container's own layer: no volume)";
      return `container ${c.name} and ${where} removed`;
    },
  };
}

export const destroy: FaultPlugin<'destroy'> = {
  kind: 'destroy',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const plan = await planDestroy(ctx, c);
    const fault = await containerFault(ctx, step, c, plan.remove, null, undefined, ['kill', 'die', 'destroy']);
    fault.record.destroyed = await plan.proof();
    ctx.note({ atMs: fault.record.injectReturnedAtMs, source: 'docker', message: `${c.name} destroyed: ${fault.record.destroyed}`, marker: 'container-exit' });
    return fault;
  },
};
