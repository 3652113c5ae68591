import { createDocker, checkEngine } from '../engine/docker-client.js';
import { pidAlive, removeDeadRuns, removeLabelled } from '../engine/resources.js';
import { removeDeadWarmCgroups } from '../faults/container/freezer-warm.js';
import { runFilter, LABEL_IMAGE_RECIPE } from '../engine/labels.js';
import { createLogger } from '../util/log.js';
import { errorMessage } from '../util/errors.js';
import { EXIT } from './exit-codes.js';

/** Remove drill's labelled containers and networks; a live run's are kept unless --force. */
export async function cleanupCommand(opts: { force: boolean; images: boolean; json: boolean; logLevel: string }): Promise<void> {
  const log = createLogger({ level: opts.logLevel });
  const docker = createDocker();
  await checkEngine(docker);
  const removed = opts.force ? await removeLabelled(docker, runFilter()) : await removeDeadRuns(docker, undefined, { includeOtherHosts: true, includeKept: true });
  // A run killed with -9 leaves its empty frozen cgroup too (faults/container/freezer-warm.ts); --force takes live runs' as well.
  await removeDeadWarmCgroups(opts.force ? () => false : pidAlive);
  let images = 0;
  if (opts.images) {
    for (const image of await docker.listImages({ filters: { label: [LABEL_IMAGE_RECIPE] } })) {
      try {
        await docker.getImage(image.Id).remove({ force: true });
        images++;
      } catch (error) {
        removed.errors.push(`image ${image.RepoTags?.[0] ?? image.Id}: ${errorMessage(error)}`);
      }
    }
  }
  const summary = { containers: removed.containers, networks: removed.networks, images, errors: removed.errors };
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`removed ${summary.containers} containers, ${summary.networks} networks${opts.images ? `, ${images} images` : ''}\n`);
  for (const e of removed.errors) log.error(e);
  process.exitCode = removed.errors.length ? EXIT.infra : EXIT.ok;
}
