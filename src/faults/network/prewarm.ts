import type { RunningContainer } from '../../engine/resources.js';
import type { FaultStepSpec } from '../../spec/schema.js';
import { errorMessage } from '../../util/errors.js';
import type { FaultContext } from '../plugin.js';
import { resolveGroup, resolveTarget } from '../resolve-target.js';
import { acquireHelper, releaseHelper, type Helper } from './helpers.js';

// A network fault acts from helper containers in the nodes' namespaces; starting them takes the engine
// 0.3–1.2 s here, which used to pass between a fault's `at` and its rules (a partition at 2 s went in at
// 3.2 s on a busy CI host). Started during the warm-up instead, each held by one reference until
// teardown: the fault finds its helpers up (it still reads the nodes' clocks and states after its `at`:
// 0.35–0.58 s late here, docs/network-faults.md). Best effort: a helper that fails here is started again
// by the fault itself, which reports its own error.

export interface PrewarmedHelpers {
  /** Drop the warm-up's references (the helpers of faults still in effect stay until those heal). */
  release(): Promise<void>;
}

/**
 * The nodes the drill's network faults will act in, as the stack names them now. Only those get a helper:
 * starting one in every node (ten in a front-door stack) kept two cores busy for seconds at the end of the
 * warm-up, just before the fault. A partition acts in its groups' nodes and a latency fault in its target
 * and `from` nodes; isolate and loss reach wider (every other node, a peer of their choosing), so they keep
 * every node. A role that resolves differently by the fault's `at` (a failover in between) costs only
 * time: the fault starts the helper it lacks.
 */
export async function helperNodes(ctx: FaultContext, steps: readonly FaultStepSpec[], everyone: readonly RunningContainer[]): Promise<RunningContainer[]> {
  const wanted = new Map<string, RunningContainer>();
  try {
    for (const step of steps) {
      let nodes: RunningContainer[];
      switch (step.fault) {
        case 'partition':
          nodes = (await Promise.all(step.groups.map((g) => resolveGroup(ctx.stack, g, ctx.layers)))).flat();
          break;
        case 'latency':
          nodes = [await resolveTarget(ctx.stack, step.target, Math.random, ctx.layers), ...(step.from ? await resolveGroup(ctx.stack, step.from, ctx.layers) : [])];
          break;
        // isolate and loss act in every other node or a peer of their choosing; a kind that is not a network
        // fault never comes here (networkFaultSteps), and a new network kind gets every node until it says otherwise.
        case 'isolate':
        case 'loss':
        default:
          return [...everyone];
      }
      // drill itself (`runner`) has no container: its side of a partition is ruled from the nodes.
      for (const n of nodes) if (n.id !== '') wanted.set(n.id, n);
    }
  } catch (error) {
    ctx.log.debug({ err: errorMessage(error) }, 'network fault targets not resolved ahead: helpers in every node');
    return [...everyone];
  }
  return everyone.filter((c) => wanted.has(c.id));
}

export function prewarmHelpers(ctx: FaultContext, nodes: Promise<readonly RunningContainer[]>): PrewarmedHelpers {
  const held = nodes.then((list) =>
    Promise.all(
      list.map((node) =>
        acquireHelper(ctx, node).catch((error: unknown) => {
          ctx.log.debug({ node: node.node, err: errorMessage(error) }, 'network helper not started ahead of the fault');
          return null;
        }),
      ),
    ),
  );
  return {
    async release() {
      const helpers = (await held).filter((h): h is Helper => h !== null);
      await Promise.all(helpers.map((h) => releaseHelper(ctx, h).catch(() => {})));
    },
  };
}
