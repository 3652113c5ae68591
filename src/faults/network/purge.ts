import type { Docker } from '../../engine/docker-client.js';
import { isGone } from '../../engine/docker-client.js';
import { LABEL_ROLE } from '../../engine/labels.js';
import { errorMessage } from '../../util/errors.js';
import { exec, sh } from '../../engine/docker-exec.js';
import { HELPER_ROLE } from './helpers.js';
import { purgeScript } from './rules.js';

// After a crash (kill -9 mid-fault) a network fault's rules stay in the node's namespace until that
// namespace goes. For drill's own stacks it goes with the stack (cleanup removes the containers). For
// containers drill did not create (a compose stack), it does not: purge the helpers first — each still
// runs in its node's namespace and holds the ledger of what drill put there — then remove them.

export interface PurgeReport {
  helpers: number;
  removed: string[];
  errors: string[];
}

/** Undo what the ledger of each running network helper matching the filter lists. Call before removing them. */
export async function purgeNetworkHelpers(docker: Docker, filters: { label: string[] }, select: (labels: Record<string, string>) => boolean = () => true): Promise<PurgeReport> {
  const report: PurgeReport = { helpers: 0, removed: [], errors: [] };
  const list = await docker.listContainers({ filters: { label: [...filters.label, `${LABEL_ROLE}=${HELPER_ROLE}`] } });
  await Promise.all(
    list
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
      .filter((c) => select(c.Labels ?? {}))
      .map(async (c) => {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
        const name = c.Names?.[0]?.replace(/^\//, '') ?? c.Id;
        try {
          const res = await exec(docker, c.Id, sh(purgeScript()), { timeoutMs: 15_000 });
          report.helpers++;
          report.removed.push(
            ...res.stdout
              .trim()
              .split('\n')
              .filter(Boolean)
              .map((l) => `${name}: ${l}`),
          );
          if (res.code !== 0) report.errors.push(`${name}: ${res.stderr.trim() || `exit ${res.code}`}`);
        } catch (error) {
          // The helper or its node is gone (or stopped): so is the namespace, and the rules with it.
          if (!isGone(error) && (error as { statusCode?: number }).statusCode !== 409) report.errors.push(`${name}: ${errorMessage(error)}`);
        }
      }),
  );
  return report;
}
