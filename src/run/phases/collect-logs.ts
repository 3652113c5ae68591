import { readContainerLogs, type LogSource } from '../../engine/container-logs.js';
import { engineLocation } from '../../engine/docker-client.js';
import { runFilter } from '../../engine/labels.js';
import { errorMessage } from '../../util/errors.js';
import type { RunState } from '../run-state.js';

/**
 * Before teardown removes them: the log of every container of the run (the stack's nodes, a layer's
 * containers, found by the run's label) into the journal, saved later as logs/<node>.log. A log that
 * cannot be read is noted; teardown goes on.
 */
export async function collectLogs(run: RunState): Promise<void> {
  const { journal } = run;
  const sources = new Map<string, LogSource>();
  for (const c of run.stack?.containers ?? []) sources.set(c.id, { id: c.id, node: c.node, container: c.name });
  const labelled = await run.deps.docker.listContainers({ all: true, filters: runFilter(journal.runId) }).catch(() => []);
  const prefix = `drill-${journal.token}-`;
  for (const c of labelled) {
    const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
    if (!sources.has(c.Id)) sources.set(c.Id, { id: c.Id, node: name.startsWith(prefix) ? name.slice(prefix.length) : name, container: name });
  }
  journal.logs = await readContainerLogs(run.deps.docker, [...sources.values()], journal.clock, engineLocation().local, (node, why) => {
    run.log.warn({ node, err: why }, 'container log not read');
  }).catch((error: unknown) => {
    run.log.warn({ err: errorMessage(error) }, 'container logs not read');
    return [];
  });
}
