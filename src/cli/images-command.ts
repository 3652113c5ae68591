import { createDocker, checkEngine } from '../engine/docker-client.js';
import { imageSources, sourceChoice, type SourceChoice } from '../engine/image-source.js';
import { buildImages, imageStatus, type ImageStatus } from '../engine/images.js';
import { imagePresent } from '../engine/pull-image.js';
import { createLogger } from '../util/log.js';
import { EXIT } from './exit-codes.js';

/** One pinned official server image (images/sources.json) and whether the engine has it. */
interface OfficialStatus {
  name: string;
  tag: string;
  present: boolean;
  source: string;
}

/**
 * Show (and with --build, build) drill's images and where each came from; with DRILL_SERVER_IMAGES=official
 * also the official server images a run would pull. Exit 3 when one of drill's own is missing after all.
 */
export async function imagesCommand(opts: { build: boolean; force: boolean; source: string | undefined; json: boolean; logLevel: string }): Promise<void> {
  const log = createLogger({ level: opts.logLevel });
  const source: SourceChoice = sourceChoice(opts.source ?? process.env.DRILL_IMAGE_SOURCE);
  const docker = createDocker();
  await checkEngine(docker);
  const status = opts.build ? await buildImages(docker, log, { force: opts.force, source }) : await imageStatus(docker);
  const official = process.env.DRILL_SERVER_IMAGES === 'official' ? await officialStatus(docker) : [];
  if (opts.json) process.stdout.write(`${JSON.stringify([...status, ...official], null, 2)}\n`);
  else for (const s of [...status, ...official]) process.stdout.write(`${s.present ? 'ok     ' : 'MISSING'} ${s.name.padEnd(15)} ${s.tag.padEnd(26)} ${describeSource(s)}\n`);
  const missing = status.filter((s) => !s.present);
  if (missing.length && !opts.json)
    process.stderr.write('build them with `drill images --build` (from the registry where one answers, else offline with root and debootstrap; bash scripts/setup does it)\n');
  process.exitCode = missing.length ? EXIT.infra : EXIT.ok;
}

function describeSource(s: ImageStatus | OfficialStatus): string {
  if (!s.present && 'recipeHash' in s) return '';
  return s.source ?? 'source not recorded (built before drill labelled it)';
}

async function officialStatus(docker: Parameters<typeof imagePresent>[0]): Promise<OfficialStatus[]> {
  const { servers } = await imageSources();
  return Promise.all(
    Object.entries(servers).map(async ([key, tag]) => ({ name: `official ${key}`, tag, present: await imagePresent(docker, tag), source: 'registry (DRILL_SERVER_IMAGES=official; pulled by a run)' })),
  );
}
