import { imageSources } from '../engine/image-source.js';
import type { StackSpec } from '../spec/schema.js';
import { UsageError } from '../util/errors.js';
import { descriptorOf } from './descriptors.js';
import type { ImageKey } from './plugin.js';

export interface ServerImage {
  key: ImageKey;
  image: string;
  /** Who chose it: the drill file's `image:`, or DRILL_SERVER_IMAGES=official. */
  by: 'drill-file' | 'official';
}

/**
 * The image the stack's servers run instead of drill's own, if any: the drill file's `image:`, else with
 * DRILL_SERVER_IMAGES=official the official image pinned in images/sources.json (docs/images.md). drill's
 * own images stay for the app, the network-fault helpers and the tools either way.
 */
export async function serverImageOverride(stack: StackSpec, env: NodeJS.ProcessEnv = process.env): Promise<ServerImage | undefined> {
  const need = descriptorOf(stack).images(stack);
  if (need.override) return { ...need.override, by: 'drill-file' };
  const mode = env.DRILL_SERVER_IMAGES || 'drill';
  if (mode === 'drill') return undefined;
  if (mode !== 'official') throw new UsageError(`DRILL_SERVER_IMAGES=${mode} is not one of drill, official`);
  const { servers } = await imageSources(env);
  const key = need.needed.find((k): k is 'redis' | 'mysql' | 'postgres' => k === 'redis' || k === 'mysql' || k === 'postgres');
  return key ? { key, image: servers[key], by: 'official' } : undefined;
}
