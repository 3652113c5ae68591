import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Docker } from './docker-client.js';
import { LABEL_IMAGE_RECIPE } from './labels.js';
import { InfraError, errorMessage } from '../util/errors.js';
import { chooseBaseSource, LABEL_IMAGE_SOURCE, sourceChoice, sourceLabel, type BaseSource, type SourceChoice } from './image-source.js';
import { imagePresent } from './pull-image.js';
import type { Logger } from '../util/log.js';

// drill's own images, buildable offline: this machine (and many CI hosts) cannot pull from a registry.
//   base  = the packages in images/base.json on Debian bookworm: FROM Debian's official image where a
//           registry answers (images/base/Dockerfile), else debootstrap --variant=minbase and `docker
//           import` (image-source.ts decides; docs/images.md)
//   redis   = FROM base (images/redis/Dockerfile), with drill's lazy disk (images/shared/lazy-disk.py)
//   mariadb = FROM base (images/mariadb/Dockerfile), with the lazy disk too
//   postgres = FROM base + PostgreSQL 15 from Debian (images/postgres/Dockerfile)
//   monitoring = FROM base + Prometheus, Alertmanager, exporters from Debian (images/monitoring/Dockerfile)
//   lb      = FROM base + HAProxy, Nginx, Keepalived from Debian (images/lb/Dockerfile)
//   patroni = FROM base + PostgreSQL 15, Patroni, etcd, HAProxy from Debian (images/patroni/Dockerfile)
//   app     = FROM base + fixtures/app (images/app/Dockerfile)
// Each tag is a hash of its recipe (and of the base tag), so an image is rebuilt only when its recipe
// changes, and an old tag simply stops being used.

export type ImageName = 'base' | 'redis' | 'mariadb' | 'postgres' | 'monitoring' | 'lb' | 'patroni' | 'app';
/** Images built FROM the base from a Dockerfile alone (the app also takes fixtures/app). */
const PLAIN_IMAGES = ['redis', 'mariadb', 'postgres', 'monitoring', 'lb', 'patroni'] as const;
/** Files more than one image's Dockerfile copies (`COPY shared/...`): drill's lazy disk. In every plain image's build context. */
const SHARED_DIR_NAME = 'shared';

export interface ImageRef {
  name: ImageName;
  tag: string; // repo:tag
  recipeHash: string;
}

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SHARED_DIR = path.join(repoRoot, 'images', SHARED_DIR_NAME);

async function sha256Files(files: string[], root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Every file under dir, sorted; `except` is a directory not entered. */
async function listFiles(dir: string, except?: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== except) out.push(...(await listFiles(full, except)));
    } else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/**
 * The fixture app's part of its image recipe: its own files, and its node_modules through npm's record
 * of it (node_modules/.package-lock.json: every package's version and integrity), not file by file:
 * `npm pack` leaves some files of dependencies out (their .npmignore), and an installed package must
 * find the image its clone built.
 */
async function appRecipeFiles(): Promise<string[]> {
  const appDir = path.join(repoRoot, 'fixtures', 'app');
  const nodeModules = path.join(appDir, 'node_modules');
  const installed = path.join(nodeModules, '.package-lock.json');
  const present = await Promise.all(
    [installed, path.join(nodeModules, 'ioredis', 'package.json')].map((f) =>
      stat(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.includes(false)) {
    throw new InfraError('fixtures/app has no node_modules', 'run `npm ci --omit=dev --prefix fixtures/app` (bash scripts/setup does it)');
  }
  return [...(await listFiles(appDir, nodeModules)), installed];
}

export async function imageRefs(): Promise<Record<ImageName, ImageRef>> {
  const baseRecipe = path.join(repoRoot, 'images', 'base.json');
  // Both ways of building the base are its recipe: the package list and the registry Dockerfile.
  const baseHash = (await sha256Files([baseRecipe, path.join(repoRoot, 'images', 'base', 'Dockerfile')], repoRoot)).slice(0, 12);
  const base: ImageRef = { name: 'base', tag: `drill/base:${baseHash}`, recipeHash: baseHash };

  const plain = {} as Record<(typeof PLAIN_IMAGES)[number], ImageRef>;
  for (const name of PLAIN_IMAGES) {
    // Every file its Dockerfile may COPY: its own folder and images/shared (files two images carry).
    const files = [...(await listFiles(path.join(repoRoot, 'images', name))), ...(await listFiles(SHARED_DIR))];
    const hash = createHash('sha256')
      .update(base.tag)
      .update(await sha256Files(files, repoRoot))
      .digest('hex')
      .slice(0, 12);
    plain[name] = { name, tag: `drill/${name}:${hash}`, recipeHash: hash };
  }
  const appHash = createHash('sha256')
    .update(base.tag)
    .update(await sha256Files([path.join(repoRoot, 'images', 'app', 'Dockerfile'), ...(await appRecipeFiles())], repoRoot))
    .digest('hex')
    .slice(0, 12);
  return {
    base,
    ...plain,
    app: { name: 'app', tag: `drill/app:${appHash}`, recipeHash: appHash },
  };
}

export interface ImageStatus extends ImageRef {
  present: boolean;
  /** How the base under it was built (its drill.image-source label), null when absent or built before drill recorded it. */
  source: string | null;
}

async function statusOf(docker: Docker, ref: ImageRef): Promise<ImageStatus> {
  try {
    const image = await docker.getImage(ref.tag).inspect();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- an imported image may have no labels at all
    return { ...ref, present: true, source: image.Config.Labels?.[LABEL_IMAGE_SOURCE] ?? null };
  } catch {
    return { ...ref, present: false, source: null };
  }
}

export async function imageStatus(docker: Docker): Promise<ImageStatus[]> {
  const refs = await imageRefs();
  return Promise.all(Object.values(refs).map((ref) => statusOf(docker, ref)));
}

/** Build whatever is missing (or everything with force). Idempotent and cached by recipe hash. */
export async function buildImages(docker: Docker, log: Logger, opts: { force?: boolean; source?: SourceChoice } = {}): Promise<ImageStatus[]> {
  const refs = await imageRefs();
  if (opts.force || !(await imagePresent(docker, refs.base.tag))) {
    const source = await chooseBaseSource(docker, opts.source ?? sourceChoice(), log);
    await buildBase(docker, log, refs.base, source);
  }
  for (const ref of [refs.redis, refs.mariadb, refs.postgres, refs.monitoring, refs.lb, refs.patroni, refs.app]) {
    if (opts.force || !(await imagePresent(docker, ref.tag))) await buildFromBase(docker, log, ref, refs.base.tag);
  }
  return imageStatus(docker);
}

function run(cmd: string, args: string[], log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      reject(new InfraError(`${cmd} could not start: ${error.message}`, cmd === 'debootstrap' ? 'install it: apt-get install debootstrap (bash scripts/setup does it)' : undefined));
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new InfraError(`${cmd} ${args.slice(0, 3).join(' ')} ... exited ${code}:\n${tail}`));
    });
    log.debug({ cmd, args }, 'spawned');
  });
}

interface BaseRecipe {
  suite: string;
  variant: string;
  packages: string[];
}

async function baseRecipe(): Promise<BaseRecipe> {
  return JSON.parse(await readFile(path.join(repoRoot, 'images', 'base.json'), 'utf8')) as BaseRecipe;
}

/** Build the base the chosen way; exported for the test that builds it FROM a stand-in of the registry's image. */
export async function buildBase(docker: Docker, log: Logger, ref: ImageRef, source: BaseSource): Promise<void> {
  switch (source.kind) {
    case 'registry':
      return buildBaseFromImage(docker, log, ref, source);
    case 'debootstrap':
      return buildBaseWithDebootstrap(docker, log, ref, source);
  }
}

async function buildBaseFromImage(docker: Docker, log: Logger, ref: ImageRef, source: Extract<BaseSource, { kind: 'registry' }>): Promise<void> {
  const recipe = await baseRecipe();
  const dir = path.join(repoRoot, 'images', 'base');
  const started = Date.now();
  log.info({ image: ref.tag, from: source.image, packages: recipe.packages.length }, 'building the base image from the registry image (about a minute)');
  const tar = spawn('tar', ['-c', '-C', dir, 'Dockerfile'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const stream = await docker.buildImage(tar.stdout, {
      t: ref.tag,
      buildargs: { FROM_IMAGE: source.image, PACKAGES: recipe.packages.join(' '), MIRROR: source.mirror ?? '' },
      labels: { [LABEL_IMAGE_RECIPE]: ref.recipeHash, [LABEL_IMAGE_SOURCE]: sourceLabel(source) },
      rm: true,
      forcerm: true,
    });
    await followProgress(docker, stream);
  } catch (error) {
    throw new InfraError(`building ${ref.tag} FROM ${source.image} failed: ${errorMessage(error)}`);
  }
  log.info({ image: ref.tag, seconds: Math.round((Date.now() - started) / 1000) }, 'base image built');
}

async function buildBaseWithDebootstrap(docker: Docker, log: Logger, ref: ImageRef, source: Extract<BaseSource, { kind: 'debootstrap' }>): Promise<void> {
  const recipe = await baseRecipe();
  const mirror = source.mirror;
  const rootfs = await mkdtemp(path.join(os.tmpdir(), 'drill-rootfs-'));
  const started = Date.now();
  log.info({ image: ref.tag, mirror, packages: recipe.packages.length }, 'building the base image offline with debootstrap (about a minute)');
  try {
    await run('debootstrap', [`--variant=${recipe.variant}`, `--include=${recipe.packages.join(',')}`, recipe.suite, rootfs, mirror], log);
    // Package caches and lists are dead weight in the image.
    await rm(path.join(rootfs, 'var', 'cache', 'apt', 'archives'), { recursive: true, force: true });
    await rm(path.join(rootfs, 'var', 'lib', 'apt', 'lists'), { recursive: true, force: true });
    const tar = spawn('tar', ['--numeric-owner', '-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, tag] = ref.tag.split(':') as [string, string];
    const stream = await docker.importImage(tar.stdout, {
      repo,
      tag,
      changes: [`LABEL ${LABEL_IMAGE_RECIPE}=${ref.recipeHash}`, `LABEL ${LABEL_IMAGE_SOURCE}="${sourceLabel(source)}"`, 'ENV LANG=C.UTF-8', 'CMD ["/bin/bash"]'],
    } as object);
    await followProgress(docker, stream);
  } catch (error) {
    if (error instanceof InfraError) throw error;
    throw new InfraError(`building ${ref.tag} failed: ${errorMessage(error)}`);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  log.info({ image: ref.tag, seconds: Math.round((Date.now() - started) / 1000) }, 'base image built');
}

async function buildFromBase(docker: Docker, log: Logger, ref: ImageRef, baseTag: string): Promise<void> {
  const contextDir = ref.name === 'app' ? path.join(repoRoot, 'fixtures', 'app') : path.join(repoRoot, 'images', ref.name);
  const dockerfileDir = path.join(repoRoot, 'images', ref.name);
  await stat(path.join(dockerfileDir, 'Dockerfile'));
  log.info({ image: ref.tag }, 'building image');
  // GNU tar with two -C: the context folder plus the Dockerfile kept beside the other recipes.
  const args = ['-c', '-C', contextDir, '.'];
  if (contextDir !== dockerfileDir) args.push('-C', dockerfileDir, 'Dockerfile');
  else args.push('-C', path.dirname(SHARED_DIR), SHARED_DIR_NAME);
  const tar = spawn('tar', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const stream = await docker.buildImage(tar.stdout, {
      t: ref.tag,
      buildargs: { BASE: baseTag },
      labels: { [LABEL_IMAGE_RECIPE]: ref.recipeHash },
      rm: true,
      forcerm: true,
    });
    await followProgress(docker, stream);
  } catch (error) {
    throw new InfraError(`building ${ref.tag} failed: ${errorMessage(error)}`);
  }
}

function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a build stream may end without a final output
      const failed = output?.find((o) => o.error || o.errorDetail);
      if (error) reject(error);
      else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
      else resolve();
    });
  });
}
