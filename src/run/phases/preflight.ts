import { checkEngine, engineLocation } from '../../engine/docker-client.js';
import { watchEngineEvents } from '../../engine/engine-events.js';
import { pidAlive, removeDeadRuns } from '../../engine/resources.js';
import { removeDeadWarmCgroups } from '../../faults/container/freezer-warm.js';
import { needsNetworkHelpers } from '../../faults/registry.js';
import { layerDescriptorOf } from '../../layers/descriptors.js';
import { ensureImages } from '../preflight-images.js';
import type { RunState } from '../run-state.js';

/** The engine answers, what dead runs left is gone, every image is there: before anything is started. */
export async function preflight(run: RunState): Promise<void> {
  const { docker } = run.deps;
  run.journal.engineVersion = (await checkEngine(docker)).version;
  // Fault instants from the engine's own events: its clock is the runner's only on the same host.
  if (engineLocation().local) run.engineEvents = await watchEngineEvents(docker).catch(() => undefined);
  // Leftovers of runs whose runner died (kill -9) are removed; live runs are left alone.
  const swept = await removeDeadRuns(docker);
  if (swept.containers + swept.networks > 0) run.log.warn(swept, 'removed leftovers of a dead drill run');
  const warm = await removeDeadWarmCgroups(pidAlive);
  if (warm > 0) run.log.warn({ cgroups: warm }, "thawed and removed a dead drill run's warm freezer cgroup");
  const layers = run.spec.layers.flatMap((l) => layerDescriptorOf(l).images(l, run.spec.stack));
  run.journal.images = await ensureImages(docker, run.spec.stack, run.log, { networkFaults: needsNetworkHelpers(run.spec.steps), layers });
}
