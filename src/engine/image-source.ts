import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Docker } from './docker-client.js';
import { debianMirror } from './debian-mirror.js';
import { imagePresent, pullImage } from './pull-image.js';
import { InfraError, UsageError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

// Where drill's base image comes from (docs/images.md). The same packages of the same Debian suite either
// way; what differs is what the host must have:
//   registry    = FROM Debian's official image (images/sources.json), apt inside the build: no root, no
//                 debootstrap (the stock Ubuntu CI runner, Docker Desktop, a non-root docker-group user)
//   debootstrap = debootstrap on this host from a Debian mirror, then `docker import`: no registry (here)
// `auto` takes the registry where the engine can get the image, else debootstrap.

export type SourceChoice = 'auto' | 'registry' | 'debootstrap';
export const SOURCE_CHOICES: readonly SourceChoice[] = ['auto', 'registry', 'debootstrap'];

export type BaseSource = { kind: 'registry'; image: string; mirror: string | undefined } | { kind: 'debootstrap'; mirror: string };

/** Label on drill's images: how the base under them was built ("registry debian:bookworm-slim", "debootstrap http://..."). */
export const LABEL_IMAGE_SOURCE = 'drill.image-source';

export interface ImageSources {
  /** The Debian image the base is built FROM where a registry answers. */
  base: string;
  /** Official server images for DRILL_SERVER_IMAGES=official, by the image key they replace. */
  servers: { redis: string; mysql: string; postgres: string };
}

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** images/sources.json: every image taken from a registry, pinned in one place; DRILL_BASE_IMAGE overrides the base (a registry mirror). */
export async function imageSources(env: NodeJS.ProcessEnv = process.env): Promise<ImageSources> {
  const file = JSON.parse(await readFile(path.join(repoRoot, 'images', 'sources.json'), 'utf8')) as ImageSources;
  return { base: env.DRILL_BASE_IMAGE || file.base, servers: file.servers };
}

/** DRILL_IMAGE_SOURCE, checked: a typo must not silently mean auto. */
export function sourceChoice(raw: string | undefined = process.env.DRILL_IMAGE_SOURCE): SourceChoice {
  const value = raw || 'auto';
  if ((SOURCE_CHOICES as readonly string[]).includes(value)) return value as SourceChoice;
  throw new UsageError(`DRILL_IMAGE_SOURCE=${value} is not one of ${SOURCE_CHOICES.join(', ')}`);
}

function hasDebootstrap(): boolean {
  return spawnSync('sh', ['-c', 'command -v debootstrap'], { stdio: 'ignore' }).status === 0;
}

/** Decide how to build the base: the registry's Debian image if the engine has or can pull it (auto, registry), else debootstrap. */
export async function chooseBaseSource(docker: Docker, choice: SourceChoice, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<BaseSource> {
  const mirror = env.DRILL_DEBIAN_MIRROR || undefined;
  if (choice === 'debootstrap') return { kind: 'debootstrap', mirror: await debianMirror() };
  const { base } = await imageSources(env);
  const why = (await imagePresent(docker, base)) ? null : await pullImage(docker, base);
  if (why === null) return { kind: 'registry', image: base, mirror };
  if (choice === 'registry') {
    throw new InfraError(`the engine cannot get ${base}: ${why}`, 'DRILL_IMAGE_SOURCE=debootstrap builds it offline (root and debootstrap), or DRILL_BASE_IMAGE names a registry mirror of it');
  }
  if (!hasDebootstrap()) {
    throw new InfraError(
      `no way to build drill's base image: the engine cannot get ${base} (${why}) and debootstrap is not installed`,
      'install debootstrap (bash scripts/setup does it), or make a registry reachable to the engine',
    );
  }
  log.info({ image: base, why }, 'no registry answers: building the base offline with debootstrap');
  return { kind: 'debootstrap', mirror: await debianMirror() };
}

/** The label value for a base built this way. */
export function sourceLabel(source: BaseSource): string {
  switch (source.kind) {
    case 'registry':
      return `registry ${source.image}${source.mirror ? ` (packages from ${source.mirror})` : ''}`;
    case 'debootstrap':
      return `debootstrap ${source.mirror}`;
  }
}
