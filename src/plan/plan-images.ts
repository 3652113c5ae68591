import { imageRefs } from '../engine/images.js';
import type { StackSpec } from '../spec/schema.js';
import { serverImageOverride } from '../stacks/server-image.js';
import type { ImageKey } from '../stacks/plugin.js';

/** The image behind each image key for this stack: the drill file's override or DRILL_SERVER_IMAGES=official, else drill's own tag. */
export type PlanImages = Record<ImageKey, string>;

/**
 * drill's image tags are hashes of their recipes, read from files here: no engine is asked. Whether the
 * engine has them is checked when a run starts; where the recipes cannot be hashed (fixtures/app without
 * its node_modules) the plan names the images without their tags.
 */
export async function planImages(stack: StackSpec): Promise<PlanImages> {
  const own: PlanImages = await imageRefs().then(
    (refs) => ({ redis: refs.redis.tag, mysql: refs.mariadb.tag, postgres: refs.postgres.tag, app: refs.app.tag, monitoring: refs.monitoring.tag, lb: refs.lb.tag, patroni: refs.patroni.tag }),
    () => ({ redis: 'drill/redis', mysql: 'drill/mariadb', postgres: 'drill/postgres', app: 'drill/app', monitoring: 'drill/monitoring', lb: 'drill/lb', patroni: 'drill/patroni' }),
  );
  const override = await serverImageOverride(stack);
  return override ? { ...own, [override.key]: override.image } : own;
}
