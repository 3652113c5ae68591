import { layerPluginOf } from '../../layers/registry.js';
import { pluginOf } from '../../stacks/registry.js';
import type { RunState } from '../run-state.js';

/** The stack, started (or found) and ready; its own events on the timeline from now on. */
export async function up(run: RunState): Promise<void> {
  const { journal, spec } = run;
  const plugin = pluginOf(spec.stack, run.deps.stacks);
  const ctx = {
    docker: run.deps.docker,
    run: { runId: journal.runId, token: journal.token, drillName: journal.drillName, kept: run.opts.keepStack === true },
    clock: journal.clock,
    log: run.log,
    signal: run.signal,
    images: journal.images!,
    readyTimeoutMs: run.opts.readyTimeoutMs ?? 60_000,
  };
  const stack = await plugin.start(ctx, spec.stack);
  run.stack = stack;
  journal.stack.containers = stack.containers.map((c) => ({ name: c.name, role: c.role, image: c.image }));
  journal.stack.primaryBefore = (await stack.topology()).primary;
  await stack.events((e) => {
    journal.record(e);
  });
  // Layers beside the stack, each through its own plugin; they start their own work when the load does.
  for (const layerSpec of spec.layers) {
    const layer = await layerPluginOf(layerSpec, run.deps.layers).start({ ...ctx, stackSpec: spec.stack, steps: spec.steps }, layerSpec, stack);
    run.layers.push(layer);
    journal.stack.containers.push(...layer.containers.map((c) => ({ name: c.name, role: c.role, image: c.image })));
  }
}
