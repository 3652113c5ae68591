import { createDocker, checkEngine } from '../engine/docker-client.js';
import { buildImages, imageStatus } from '../engine/images.js';
import { createLogger } from '../util/log.js';
import { EXIT } from './exit-codes.js';

/** Show (and with --build, build) drill's offline images. Exit 3 when one is missing after all. */
export async function imagesCommand(opts: { build: boolean; force: boolean; json: boolean; logLevel: string }): Promise<void> {
  const log = createLogger({ level: opts.logLevel });
  const docker = createDocker();
  await checkEngine(docker);
  const status = opts.build ? await buildImages(docker, log, { force: opts.force }) : await imageStatus(docker);
  if (opts.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else for (const s of status) process.stdout.write(`${s.present ? 'ok     ' : 'MISSING'} ${s.name.padEnd(8)} ${s.tag}\n`);
  const missing = status.filter((s) => !s.present);
  if (missing.length && !opts.json) process.stderr.write('build them with `drill images --build` (needs root and debootstrap; bash scripts/setup does it)\n');
  process.exitCode = missing.length ? EXIT.infra : EXIT.ok;
}
