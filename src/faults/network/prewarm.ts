import type { RunningContainer } from '../../engine/resources.js';
import { errorMessage } from '../../util/errors.js';
import type { FaultContext } from '../plugin.js';
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

export function prewarmHelpers(ctx: FaultContext, nodes: readonly RunningContainer[]): PrewarmedHelpers {
  const held = nodes.map((node) =>
    acquireHelper(ctx, node).catch((error: unknown) => {
      ctx.log.debug({ node: node.node, err: errorMessage(error) }, 'network helper not started ahead of the fault');
      return null;
    }),
  );
  return {
    async release() {
      const helpers = (await Promise.all(held)).filter((h): h is Helper => h !== null);
      await Promise.all(helpers.map((h) => releaseHelper(ctx, h).catch(() => {})));
    },
  };
}
