import { checkNotifyUrl } from '../outputs/notify-url.js';
import { nextRuns } from '../schedule/cron.js';
import { createLogger } from '../util/log.js';
import { checkTimezone, scheduledDrills } from './schedule-drills.js';

/**
 * `drill schedule <file or dir>... --dry-run`: like `drill run --dry-run`, print what would happen (here,
 * when each drill would run: its next three times) and do nothing: nothing runs, the engine is not
 * contacted (its client is not loaded), the reports directory is not touched. Flags `drill schedule` would
 * refuse are refused (exit 2).
 */
export async function scheduleDryRunCommand(opts: { paths: string[]; cron?: string; timezone?: string; json: boolean; logLevel: string; notifyUrl?: string }): Promise<void> {
  if (opts.notifyUrl !== undefined) checkNotifyUrl(opts.notifyUrl);
  const drills = await scheduledDrills(opts, createLogger({ level: opts.logLevel }));
  checkTimezone(opts.timezone);
  if (!opts.json) process.stdout.write('dry run: when `drill schedule` would run each drill. Nothing is run; `drill run FILE --dry-run` shows what a run would do.\n\n');
  for (const d of drills) {
    const next = nextRuns(d.cron, 3, new Date(), opts.timezone).map((t) => t.toISOString());
    process.stdout.write(
      opts.json ? `${JSON.stringify({ dryRun: true, drill: d.name, file: d.file, cron: d.cron, next })}\n` : `${d.name}  ${JSON.stringify(d.cron)}  ${d.file}\n  next: ${next.join(', ')}\n`,
    );
  }
}
