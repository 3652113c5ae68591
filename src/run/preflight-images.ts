import type { StackSpec } from '../spec/schema.js';
import type { Docker } from '../engine/docker-client.js';
import { imageRefs, type ImageName, type ImageRef } from '../engine/images.js';
import { imagePresent, pullImage } from '../engine/pull-image.js';
import { descriptorOf } from '../stacks/descriptors.js';
import { serverImageOverride } from '../stacks/server-image.js';
import type { ImageKey, StackImages } from '../stacks/plugin.js';
import { InfraError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

/** drill's own image for each part of a stack (before any override by the drill file). */
export function ownStackImages(refs: Record<ImageName, ImageRef>): StackImages {
  return {
    redis: refs.redis.tag,
    mysql: refs.mariadb.tag,
    postgres: refs.postgres.tag,
    app: refs.app.tag,
    monitoring: refs.monitoring.tag,
    lb: refs.lb.tag,
    patroni: refs.patroni.tag,
    tools: { redis: refs.redis.tag, mysql: refs.mariadb.tag },
  };
}

/**
 * The images a run uses, checked before anything starts. drill's own images must already be built
 * (`drill images --build`): building takes a minute and needs root, so a run never starts it behind the
 * user's back. An image the drill file names (official redis, mariadb, mysql), or the pinned official one
 * with DRILL_SERVER_IMAGES=official, is pulled if absent, which works where a registry is reachable and
 * fails clearly where not.
 */
export async function ensureImages(docker: Docker, stack: StackSpec, log: Logger, opts: { networkFaults?: boolean; layers?: ImageKey[] } = {}): Promise<StackImages> {
  const own = ownStackImages(await imageRefs());
  const need = descriptorOf(stack).images(stack);
  const needed = [...need.needed];
  for (const key of opts.layers ?? []) if (!needed.includes(key)) needed.push(key);
  // Network faults run iptables/proxies in helper containers made from drill's own redis image.
  if (opts.networkFaults && !needed.includes('redis')) needed.push('redis');
  const override = await serverImageOverride(stack);
  const missing: string[] = [];
  for (const key of needed) {
    // Network-fault helpers and layers run drill's own image even where the stack runs another.
    const overridden = override?.key === key && !(key === 'redis' && opts.networkFaults) && !opts.layers?.includes(key);
    if (!overridden && !(await imagePresent(docker, own[key]))) missing.push(own[key]);
  }
  if (missing.length) {
    throw new InfraError(`image(s) missing on the engine: ${missing.join(', ')}`, 'build them offline with `drill images --build` (bash scripts/setup does it)');
  }
  if (!override) return own;
  if (!(await imagePresent(docker, override.image))) {
    log.info({ image: override.image }, override.by === 'drill-file' ? 'pulling the image named in the drill file' : 'pulling the official server image (DRILL_SERVER_IMAGES=official)');
    const why = await pullImage(docker, override.image);
    if (why !== null) {
      throw new InfraError(
        `image ${override.image} is not on the engine and could not be pulled: ${why}`,
        override.by === 'drill-file'
          ? "pull or load it by hand, or drop `image:` to use drill's offline-built image"
          : "pull or load it by hand, or unset DRILL_SERVER_IMAGES to use drill's offline-built images",
      );
    }
  }
  return { ...own, [override.key]: override.image };
}
