import type { FaultContext, InjectedFault } from '../plugin.js';
import type { RunningContainer } from '../../engine/resources.js';
import { isGone } from '../../engine/docker-client.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { exec, execChecked, type ExecResult } from '../../engine/docker-exec.js';
import { acquireHelper, releaseHelper, withTemporaryHelper, type Helper } from './helpers.js';
import { newChainName, witnessAddress, type RuleSet } from './rules.js';
import { networkTimeBox, type NetworkMechanism } from './network-record.js';
import type { HealSeen } from '../time-box.js';
import { effectWindow, installChain, stampedRemoveCommand, stampOffsets, syncedInstant } from './stamped-install.js';

// Installing and removing drill's chain in a node's namespace, and the life of a fault made of such chains
// on several nodes: helpers up → rules in (t_fault) → probe → self-heal / heal → rules out → probe → helpers down.

const ms = (x: number) => Math.round(x);

/** Is the container running now (paused counts: its namespace is there)? */
export async function isRunning(ctx: FaultContext, c: RunningContainer): Promise<boolean> {
  try {
    return (await ctx.docker.getContainer(c.id).inspect()).State.Running;
  } catch (error) {
    if (isGone(error)) return false;
    throw new InfraError(`inspecting ${c.name}: ${errorMessage(error)}`);
  }
}

/** Helpers of all these nodes, in parallel; if one fails, the others are released and the error thrown. */
export async function acquireAll(ctx: FaultContext, targets: readonly RunningContainer[]): Promise<Map<string, Helper>> {
  const settled = await Promise.allSettled(targets.map((t) => acquireHelper(ctx, t)));
  const helpers = new Map<string, Helper>();
  settled.forEach((s, i) => s.status === 'fulfilled' && helpers.set(targets[i]!.node, s.value));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await releaseAll(ctx, [...helpers.values()]).catch(() => {});
    throw failed.reason;
  }
  return helpers;
}

export async function releaseAll(ctx: FaultContext, helpers: readonly Helper[]): Promise<void> {
  const settled = await Promise.allSettled(helpers.map((h) => releaseHelper(ctx, h)));
  const errors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => errorMessage(s.reason));
  if (errors.length) throw new InfraError(errors.join('; '));
}

/**
 * Unhook and delete the chain. The node gone or stopped = success (its namespace, rules included, went
 * with it). The helper gone while the node runs = a temporary helper removes the rules.
 */
export async function removeChain(ctx: FaultContext, helper: Helper, chain: string, atEpochNs?: bigint, witness?: string): Promise<ExecResult | null> {
  const what = `removing ${chain} from ${helper.target.name}`;
  let result: ExecResult;
  try {
    result = await exec(ctx.docker, helper.id, stampedRemoveCommand(chain, atEpochNs, witness));
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (!isGone(error) && status !== 409) throw new InfraError(`${what}: ${errorMessage(error)}`);
    if (!(await isRunning(ctx, helper.target))) return null;
    return withTemporaryHelper(ctx, helper.target, (fresh) => execChecked(ctx.docker, fresh.id, what, stampedRemoveCommand(chain)));
  }
  if (result.code !== 0) throw new InfraError(`${what}: exit ${result.code}: ${result.stderr.trim()}`);
  return result;
}

/** When a probe runs: right after the install (the fault must show) or right after the removal (it must not). */
export type ProbeMoment = 'injected' | 'healed';

export interface RuleFaultPlan {
  kind: string;
  target: string;
  /** What the record and the timeline call it: containers and groups. */
  container: string;
  /** partition, isolate: the containers of each group (FaultRecord.groups). */
  groups?: string[][];
  durationMs: number | undefined;
  /** Rules per node (one entry per node). */
  rules: readonly { container: RunningContainer; rules: RuleSet }[];
  /** Nodes that only take part in the probes (a helper for the life of the fault). */
  probeOnly: readonly RunningContainer[];
  /**
   * Check the fault is in effect ('injected') or gone ('healed'); a summary in words, or InfraError. At heal
   * the helpers given are only those whose node still runs in the namespace the helper joined: probes
   * touching another node are left out (a node killed or restarted meanwhile has no rules to prove gone).
   */
  verify(helpers: ReadonlyMap<string, Helper>, moment: ProbeMoment): Promise<string>;
  /** When the fault held on every path, from each rule node's install end (epoch ms; default: the last end). */
  inEffectBy?(endEpochMsByNode: ReadonlyMap<string, number>): number;
  /**
   * Rule nodes whose rules alone make the fault hold (plan.ts partitionFirstWave): installed first and
   * together, the others right after; removed last, the others first. The fault's start and end are
   * then these nodes' stamps alone. Absent: all nodes in one wave.
   */
  firstWave?: ReadonlySet<string>;
}

/** The helpers whose node still runs, unpaused, in the namespace the helper joined. */
export async function liveHelpers(ctx: FaultContext, helpers: ReadonlyMap<string, Helper>): Promise<Map<string, Helper>> {
  const live = new Map<string, Helper>();
  await Promise.all(
    [...helpers].map(async ([node, h]) => {
      const state = await ctx.docker
        .getContainer(h.target.id)
        .inspect()
        .then(
          (i) => i.State,
          () => null,
        );
      if (state?.Running && !state.Paused && state.StartedAt === h.targetStartedAt) live.set(node, h);
    }),
  );
  return live;
}

/** Words for the nodes a heal probe had to leave out. */
export const leftOut = (all: ReadonlyMap<string, Helper>, live: ReadonlyMap<string, Helper>): string => {
  const gone = [...all.keys()].filter((n) => !live.has(n));
  return gone.length ? ` (not probed: ${gone.join(', ')} no longer running as before)` : '';
};

/**
 * The whole life of an iptables fault over several nodes: helpers up → rules in (t_fault … in effect) →
 * probe → [time box] → rules out → the same probe proves every cut path open again → helpers down.
 */
export async function injectRuleFault(ctx: FaultContext, plan: RuleFaultPlan): Promise<InjectedFault> {
  const startMs = ctx.clock.nowMs();
  const ruleNodes = plan.rules.map((r) => r.container);
  const probeOnly = plan.probeOnly.filter((p, i, all) => !ruleNodes.some((n) => n.node === p.node) && all.findIndex((q) => q.node === p.node) === i);
  const helpers = await acquireAll(ctx, [...ruleNodes, ...probeOnly]);
  const chain = newChainName();
  const ruleHelpers = ruleNodes.map((n) => helpers.get(n.node)!);

  // Each step is done once even if undo() is called again after a failure; the probe helpers stay until
  // the heal has been proven, so the proof uses the same vantage points as the injection's.
  const removed = new Map<Helper, ExecResult | null>();
  const rulesOf = (h: Helper): RuleSet => plan.rules.find((r) => r.container.node === h.target.node)!.rules;
  const inFirstWave = (h: Helper) => plan.firstWave?.has(h.target.node) ?? true;
  const firstWave = ruleHelpers.filter(inFirstWave);
  const secondWave = ruleHelpers.filter((h) => !inFirstWave(h));
  const removeRules = async (atEpochNs?: bigint, which: readonly Helper[] = ruleHelpers): Promise<(ExecResult | null)[]> => {
    const settled = await Promise.allSettled(
      which.map(async (h) => {
        if (!removed.has(h)) removed.set(h, await removeChain(ctx, h, chain, atEpochNs, witnessAddress(rulesOf(h))));
        return removed.get(h) ?? null;
      }),
    );
    const errors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => errorMessage(s.reason));
    if (errors.length) throw new InfraError(`healing ${plan.kind}: ${errors.join('; ')}`);
    return settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
  };
  let released = false;
  const releaseHelpers = async (): Promise<void> => {
    if (released) return;
    released = true;
    await releaseAll(ctx, [...helpers.values()]);
  };
  const abandon = async (error: unknown): Promise<never> => {
    await removeRules()
      .then(releaseHelpers)
      .catch((e: unknown) => {
        ctx.log.warn({ err: errorMessage(e) }, `rolling back ${plan.kind} failed`);
      });
    throw error;
  };
  const undo = async (): Promise<HealSeen> => {
    // The second wave's rules go first (the first wave's still hold every cut); then the first wave's, like
    // the install, at one shared instant so the heal lands on all of them at once.
    const fresh = removed.size === 0;
    if (fresh && secondWave.length) await removeRules(undefined, secondWave);
    const atEpochNs = fresh ? await syncedInstant(ctx, firstWave) : undefined;
    const t0 = ctx.clock.nowMs();
    const removals = await removeRules(atEpochNs, firstWave);
    const t1 = ctx.clock.nowMs();
    // The unhooking's own stamps bound when traffic flowed again (else the removal calls do).
    const seen = removals.every((r): r is ExecResult => r !== null) ? effectWindow(ctx, removals, t0, t1) : {};
    const live = await liveHelpers(ctx, helpers);
    let proof: string;
    try {
      proof = `${await plan.verify(live, 'healed')}${leftOut(helpers, live)}`;
    } catch (error) {
      throw new InfraError(`${plan.kind} healed but NOT proven gone: ${errorMessage(error)}`);
    }
    const t2 = ctx.clock.nowMs();
    await releaseHelpers();
    ctx.log.debug({ fault: plan.kind, removeMs: ms(t1 - t0), proofMs: ms(t2 - t1), releaseMs: ms(ctx.clock.nowMs() - t2) }, 'network fault heal phases');
    return { fromMs: seen.effectFromMs ?? t0, byMs: seen.effectByMs ?? t1, proof };
  };

  // Several nodes: the first wave's installs wait for one shared instant, so the fault starts on all of
  // them at once; the second wave's follow (the fault already holds, and they take no part in its start).
  const install = (which: readonly Helper[], atEpochNs?: bigint) => Promise.all(which.map((h) => installChain(ctx, h, chain, rulesOf(h), '', atEpochNs)));
  const atEpochNs = await syncedInstant(ctx, firstWave);
  const injectedAtMs = ctx.clock.nowMs();
  let installs: ExecResult[];
  try {
    installs = await install(firstWave, atEpochNs);
  } catch (error) {
    return abandon(error);
  }
  const injectReturnedAtMs = ctx.clock.nowMs();
  const inEffectBy = plan.inEffectBy?.bind(plan);
  const effect = effectWindow(ctx, installs, injectedAtMs, injectReturnedAtMs, undefined, inEffectBy && ((ends) => inEffectBy(new Map(firstWave.map((h, i) => [h.target.node, ends[i]!])))));
  try {
    if (secondWave.length) await install(secondWave);
  } catch (error) {
    return abandon(error);
  }

  let verified: string;
  try {
    verified = await plan.verify(helpers, 'injected');
  } catch (error) {
    ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `${plan.kind} NOT verified, rolled back: ${errorMessage(error)}`, marker: 'fault-unverified' });
    return abandon(error);
  }
  const verifiedAtMs = ctx.clock.nowMs();
  ctx.log.debug(
    {
      fault: plan.kind,
      helpersMs: ms(injectedAtMs - startMs),
      rulesMs: ms(injectReturnedAtMs - injectedAtMs),
      stampedWindowMs: effect.effectByMs !== undefined && effect.effectFromMs !== undefined ? effect.effectByMs - effect.effectFromMs : null,
      synced: atEpochNs !== undefined,
      // Each node's install (start, end), ms after the shared instant or the first start: how far apart they ran.
      installsMs: stampOffsets(installs, atEpochNs),
      secondWave: secondWave.length,
      verifyMs: ms(verifiedAtMs - injectReturnedAtMs),
      nodes: ruleNodes.length,
    },
    'network fault phases',
  );
  const mechanism: NetworkMechanism = 'iptables';
  ctx.note({
    atMs: verifiedAtMs,
    source: 'runner',
    message: `${plan.kind} verified (${mechanism}, rules in ${(injectReturnedAtMs - injectedAtMs).toFixed(0)} ms, in effect from ${(injectReturnedAtMs / 1000).toFixed(3)} s, probe ${(verifiedAtMs - injectReturnedAtMs).toFixed(0)} ms): ${verified}`,
    marker: 'fault-verified',
  });
  return networkTimeBox(
    ctx,
    { kind: plan.kind, target: plan.target, container: plan.container, durationMs: plan.durationMs, ...(plan.groups ? { groups: plan.groups } : {}) },
    { injectedAtMs, injectReturnedAtMs, mechanism, verified, verifiedAtMs, undo, effect },
  );
}
