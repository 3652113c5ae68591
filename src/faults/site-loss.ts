import type { RunningContainer } from '../engine/resources.js';
import { InfraError } from '../util/errors.js';
import { containerFault } from './container/container-fault.js';
import { planDestroy } from './destroy.js';
import type { FaultPlugin } from './plugin.js';
import { resolveGroup } from './resolve-target.js';

/** How long the surviving nodes may take to say where they stand before the site goes anyway. */
const POSITION_TIMEOUT_MS = 1000;

/**
 * Site loss: every data node of one site destroyed at the same instant, containers and data (as
 * `destroy`, for a group); nothing heals it. Just before, each surviving data node is asked for the newest
 * write it has applied: where a standby in the other site stood at the disaster, which the failover's
 * loss is then judged against (measure/standby-lag.ts; docs/backup-restore.md#site-loss).
 */
export const siteLoss: FaultPlugin<'site-loss'> = {
  kind: 'site-loss',
  network: false,
  async inject(ctx, step) {
    const site = await resolveGroup(ctx.stack, step.nodes, ctx.layers);
    const first = site[0];
    if (!first) throw new InfraError(`site-loss: nodes ${step.target} resolved to no node`);
    const plans = await Promise.all(site.map((n) => planDestroy(ctx, n)));
    const inSite = new Set(site.map((n) => n.id));
    const dataNodes: RunningContainer[] = [await ctx.stack.primary(), ...(await ctx.stack.replicas())];
    const survivors = dataNodes.filter((n) => !inSite.has(n.id));
    const askedFromMs = ctx.clock.nowMs();
    const positions = ctx.stack.lastWriteIds && survivors.length ? await ctx.stack.lastWriteIds(survivors, POSITION_TIMEOUT_MS) : new Map<string, number | null>();
    const answeredAtMs = ctx.clock.nowMs();
    const names = site.map((n) => n.name).join(', ');
    const cut = () => Promise.all(plans.map((p) => p.remove())).then(() => undefined);
    const fault = await containerFault(ctx, { fault: step.fault, target: step.target }, first, cut, null, undefined, ['kill', 'die', 'destroy'], names);
    fault.record.destroyed = (await Promise.all(plans.map((p) => p.proof()))).join('; ');
    fault.record.standbys = [...positions].map(([node, lastWriteId]) => ({ node, lastWriteId, askedFromMs, answeredAtMs }));
    ctx.note({ atMs: fault.record.injectReturnedAtMs, source: 'docker', message: `site lost: ${fault.record.destroyed}`, marker: 'container-exit' });
    for (const s of fault.record.standbys) {
      ctx.note({
        atMs: answeredAtMs,
        source: 'runner',
        message: `${s.node} just before the site loss: ${s.lastWriteId === null ? 'no write applied (or no answer)' : `newest write applied #${s.lastWriteId}`} (asked in ${Math.round(answeredAtMs - askedFromMs)} ms)`,
      });
    }
    return fault;
  },
};
